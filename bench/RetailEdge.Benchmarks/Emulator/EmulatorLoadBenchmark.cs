using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RetailEdge.HubEmulator;
using RetailEdge.IotHub;

namespace RetailEdge.Benchmarks.Emulator;

/// <summary>
/// Load on the hub emulator: N modules (our IotHubModuleClient, one MQTT connection each) connected
/// at once, each sending R messages/s for S seconds at QoS 1. Reports publish→PUBACK latency
/// percentiles and checks the routed files message id by message id (lost, duplicated).
/// Args: [--modules 200] [--seconds 60] [--rate 1] [--batch-interval 10] [--ack-after-write].
/// </summary>
public sealed class EmulatorLoadBenchmark : IBenchmark
{
    public string Name => "emulator-load";

    public string Description => "hub emulator: 200 modules × 1 msg/s × 60 s, routed files checked by messageId, p99 ack latency";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var modules = IntArg(args, "--modules", 200);
        var seconds = IntArg(args, "--seconds", 60);
        var rate = IntArg(args, "--rate", 1);
        var batchSeconds = IntArg(args, "--batch-interval", 10);
        var durable = args.Contains("--ack-after-write");
        var root = Path.Combine(Path.GetTempPath(), "retailedge-emulator-load-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            await using var emulator = new HubEmulator.HubEmulator(new HubEmulatorOptions
            {
                RegistryPath = Path.Combine(root, "registry.json"),
                HubName = "loadhub",
                RoutingTarget = Path.Combine(root, "routing"),
                BatchInterval = TimeSpan.FromSeconds(batchSeconds),
                AcknowledgeAfterWrite = durable,
            });
            await emulator.StartAsync(cancellationToken).ConfigureAwait(false);
            var clients = new List<IotHubModuleClient>();
            for (var i = 0; i < modules; i++)
            {
                var deviceId = $"store{i:000}-gw";
                await emulator.Registry.AddModuleAsync(deviceId, "StoreGateway", cancellationToken).ConfigureAwait(false);
                clients.Add(new IotHubModuleClient(emulator.ModuleClientOptions(deviceId, "StoreGateway")));
            }
            var connectWatch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
                async (client, ct) => await client.OpenAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
            connectWatch.Stop();
            Console.WriteLine($"emulator-load: {modules} modules connected in {connectWatch.Elapsed.TotalSeconds:0.00} s ({emulator.Connections.Count} sessions); sending {rate} msg/s each for {seconds} s, batch interval {batchSeconds} s, ack {(durable ? "after file write" : "after in-memory append")}");

            var latencies = new ConcurrentBag<double>();
            var sent = new ConcurrentDictionary<string, byte>();
            var failures = 0;
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            var interval = TimeSpan.FromSeconds(1.0 / rate);
            var total = seconds * rate;
            var tasks = clients.Select((client, index) => Task.Run(async () =>
            {
                // spread the modules over the first interval so the load is steady, not bursty
                await Task.Delay(TimeSpan.FromTicks(interval.Ticks * index / modules), cancellationToken).ConfigureAwait(false);
                var start = Stopwatch.GetTimestamp();
                for (var n = 0; n < total; n++)
                {
                    var due = start + (long)(n * interval.TotalSeconds * Stopwatch.Frequency);
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                    }
                    var id = $"{client.DeviceId}-{n}";
                    var body = Encoding.UTF8.GetBytes($"{{\"seq\":{n},\"storeId\":{index},\"items\":{{\"cols\":[\"itemId\",\"qty\"],\"rows\":[[1001,{n % 7}]]}}}}");
                    var before = Stopwatch.GetTimestamp();
                    try
                    {
                        await client.SendEventAsync(new IotHubMessage(body) { MessageId = id, ContentType = "application/json", ContentEncoding = "utf-8" }, cancellationToken).ConfigureAwait(false);
                        latencies.Add(Stopwatch.GetElapsedTime(before).TotalMilliseconds);
                        sent[id] = 0;
                    }
                    catch (Exception ex) when (ex is IotHubException or IOException or TimeoutException)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            }, cancellationToken)).ToList();
            await Task.WhenAll(tasks).ConfigureAwait(false);
            wall.Stop();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            foreach (var client in clients)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
            await emulator.StopAsync(cancellationToken).ConfigureAwait(false);

            var routed = new Dictionary<string, int>(StringComparer.Ordinal);
            var files = Directory.EnumerateFiles(Path.Combine(root, "routing"), "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.')).ToList();
            foreach (var file in files)
            {
                foreach (var line in File.ReadLines(file))
                {
                    if (line.Length == 0)
                    {
                        continue;
                    }
                    using var record = JsonDocument.Parse(line);
                    var id = record.RootElement.GetProperty("SystemProperties").GetProperty("messageId").GetString()!;
                    routed[id] = routed.GetValueOrDefault(id) + 1;
                }
            }
            var lost = sent.Keys.Count(id => !routed.ContainsKey(id));
            var duplicated = routed.Count(p => p.Value > 1);
            var sorted = latencies.Order().ToArray();
            Console.WriteLine($"  acknowledged {sent.Count} of {modules * total} messages in {wall.Elapsed.TotalSeconds:0.0} s ({sent.Count / wall.Elapsed.TotalSeconds:0.0} msg/s); send failures {failures}");
            Console.WriteLine($"  routed files {files.Count}, routed records {routed.Values.Sum()}, distinct message ids {routed.Count}");
            Console.WriteLine($"  lost (acknowledged, not in routed files) {lost}; duplicated {duplicated}");
            Console.WriteLine($"  publish→PUBACK latency ms: p50 {BenchSupport.Percentile(sorted, 0.50):0.00}  p90 {BenchSupport.Percentile(sorted, 0.90):0.00}  p99 {BenchSupport.Percentile(sorted, 0.99):0.00}  max {(sorted.Length > 0 ? sorted[^1] : 0):0.00}");
            Console.WriteLine($"  process CPU {cpu.TotalSeconds:0.0} s over {wall.Elapsed.TotalSeconds:0.0} s wall ({cpu.TotalSeconds / wall.Elapsed.TotalSeconds:0.00} cores, emulator and the {modules} clients in one process)");
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }


    private static int IntArg(string[] args, string name, int defaultValue)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : defaultValue;
    }
}
