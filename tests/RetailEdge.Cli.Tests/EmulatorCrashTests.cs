using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using RetailEdge.HubEmulator.Registry;
using RetailEdge.IotHub;
using RetailEdge.Lakehouse;
using RetailEdge.Testing;
using Xunit.Abstractions;

namespace RetailEdge.Cli.Tests;

/// <summary>
/// Fault suite: <c>retailedge emulator run --ack-after-write</c> as a real process is SIGKILLed at
/// random points while three module clients keep sending numbered QoS 1 telemetry, and restarted
/// on the same ports, registry and routing folder; the clients reconnect by themselves. Every
/// message a client saw acknowledged is in the routed files; a message appears twice only if its
/// send was in flight across a kill (written, PUBACK lost, resent on reconnect) — the processor
/// removes those copies, as it deduplicates on the batch identity carried in the body.
/// 5 kills here, 40 with RETAILEDGE_SOAK=1.
/// </summary>
[Trait("Category", "Fault")]
public sealed class EmulatorCrashTests(ITestOutputHelper output) : IDisposable
{
    private const string HubName = "crashhub";
    private static readonly int Kills = Soak.Scale(5, 40);
    private static readonly string[] Modules = ["store017-gw", "store018-gw", "store019-gw"];
    private readonly TempDirectory _temp = new("emulator-kill");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task RunAckAfterWrite_KilledAtRandomPointsAndRestarted_EveryAcknowledgedMessageRouted()
    {
        // the whole test, hangs included, ends within this budget
        using var budget = new CancellationTokenSource(TimeSpan.FromMinutes(Soak.Enabled ? 20 : 2));
        var watch = Stopwatch.StartNew();
        var registryPath = _temp.Combine("hub.json");
        var registry = await HubRegistry.OpenOrCreateAsync(registryPath, HubName, cancellationToken: budget.Token);
        foreach (var device in Modules)
        {
            await registry.AddModuleAsync(device, "StoreGateway", budget.Token);
        }
        var routed = _temp.Combine("routed");
        var mqttPort = FreePort.Next();
        var restPort = FreePort.Next();
        var eventHubsPort = FreePort.Next();
        string[] arguments =
        [
            CliDll(), "emulator", "run", "--registry", registryPath, "--hub-name", HubName, "--routing", routed, "--tls", "false",
            "--mqtt", $"127.0.0.1:{mqttPort}", "--rest", $"127.0.0.1:{restPort}", "--eventhubs", $"127.0.0.1:{eventHubsPort}",
            // a short interval: a connection gets one acknowledgement per write in this mode
            "--batch-interval", "100ms", "--ack-after-write",
        ];

        var emulator = await StartEmulatorAsync(arguments, budget.Token);
        Assert.Contains("acknowledged after its routed file is written", emulator.Output, StringComparison.Ordinal);
        // Epoch: +1 just before each kill and +1 once the next emulator listens. A send whose
        // epoch changed while it waited may have been written and then resent; no other may be doubled.
        var epoch = 0;
        var acknowledged = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(budget.Token);
        var clients = new List<IotHubModuleClient>();
        var senders = new List<Task>();
        try
        {
            foreach (var device in Modules)
            {
                var client = new IotHubModuleClient(IotHubModuleClientOptions.FromConnectionString(registry.ModuleConnectionString(device, "StoreGateway")) with
                {
                    GatewayHostName = "127.0.0.1",
                    Port = mqttPort,
                    UseTls = false,
                    // the emulator is back within a second or two: retry often, and keep the keep-alive far
                    // above the batch interval (a PINGREQ waits behind a publish waiting for its write)
                    ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
                    ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
                    KeepAlive = TimeSpan.FromSeconds(30),
                });
                clients.Add(client);
                await client.OpenAsync(budget.Token);
                // several sends in flight per client, so kills find messages between append and write
                for (var lane = 0; lane < 4; lane++)
                {
                    senders.Add(SendUntilStoppedAsync(client, $"{device}/{lane}", () => Volatile.Read(ref epoch), acknowledged, stopSending.Token, budget.Token));
                }
            }

            var random = new Random(20261205);
            for (var kill = 1; kill <= Kills; kill++)
            {
                // recovery without a person: the clients get new acknowledgements from this process first
                await WaitForAsync(() => acknowledged.Count, acknowledged.Count + 3 * Modules.Length, emulator, budget.Token);
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(100, 1500)), budget.Token);
                Interlocked.Increment(ref epoch);
                emulator.Kill();
                await emulator.DisposeAsync();
                emulator = await StartEmulatorAsync(arguments, budget.Token);
                Interlocked.Increment(ref epoch);
            }
            await WaitForAsync(() => acknowledged.Count, acknowledged.Count + 3 * Modules.Length, emulator, budget.Token);
            await stopSending.CancelAsync();
            await Task.WhenAll(senders).WaitAsync(budget.Token);
        }
        finally
        {
            await stopSending.CancelAsync();
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
            // the last one is killed too: what was acknowledged is on disk already
            emulator.Kill();
            await emulator.DisposeAsync();
        }

        var copies = new Dictionary<string, int>(StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(routed, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.')).ToList();
        foreach (var file in files)
        {
            await using var stream = File.OpenRead(file);
            foreach (var record in RoutedRecordParser.Parse(stream))
            {
                Assert.True(record.Error is null, $"{file} line {record.Line}: {record.Error}");
                Assert.Equal(record.MessageId, Encoding.UTF8.GetString(record.Body));
                copies[record.MessageId!] = copies.GetValueOrDefault(record.MessageId!) + 1;
            }
        }
        var lost = acknowledged.Keys.Where(id => !copies.ContainsKey(id)).Order(StringComparer.Ordinal).ToList();
        var doubled = copies.Where(c => c.Value > 1).Select(c => c.Key).ToList();
        var doubledUnexpectedly = doubled.Where(id => !acknowledged.TryGetValue(id, out var acrossKill) || !acrossKill).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Kills} kills in {watch.Elapsed.TotalSeconds:0.0} s: {acknowledged.Count} messages acknowledged, {lost.Count} of them missing from {files.Count} routed files; " +
            $"{doubled.Count} routed twice (all resent across a kill: {doubledUnexpectedly.Count == 0}); {acknowledged.Count(a => a.Value)} sends spanned a kill"));
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged messages not routed, e.g. {string.Join(", ", lost.Take(10))}");
        Assert.True(doubledUnexpectedly.Count == 0, $"routed twice without a kill during their send: {string.Join(", ", doubledUnexpectedly.Take(10))}");
        Assert.Empty(copies.Keys.Except(acknowledged.Keys));

        // the built-in Event Hubs-compatible endpoint's partitions, as the next emulator would open them:
        // every acknowledged message is there (it is appended before routing), numbered without gaps
        var eventsFolder = _temp.Combine(HubName + "-events");
        await using var events = RetailEdge.HubEmulator.EventHubs.EventHubLog.Open(HubName, eventsFolder, 4,
            new RetailEdge.HubEmulator.EventHubs.EventRetentionOptions(TimeSpan.FromDays(1), 1L << 30), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var stored = events.PartitionIds.SelectMany(p => events.Partition(p)!.ReadFrom(0, int.MaxValue)).ToList();
        foreach (var partition in events.PartitionIds)
        {
            var numbers = events.Partition(partition)!.ReadFrom(0, int.MaxValue).Select(e => e.SequenceNumber).ToList();
            Assert.Equal(Enumerable.Range(0, numbers.Count).Select(i => (long)i), numbers);
        }
        var notInEvents = acknowledged.Keys.Except(stored.Select(e => e.MessageId!)).ToList();
        output.WriteLine($"built-in endpoint: {stored.Count} events, {stored.Select(e => e.MessageId).Distinct().Count()} distinct, {notInEvents.Count} acknowledged messages missing");
        Assert.True(notInEvents.Count == 0, $"{notInEvents.Count} acknowledged messages not in the built-in endpoint, e.g. {string.Join(", ", notInEvents.Take(10))}");
    }

    /// <summary>Sends numbered messages one after the other until stopped; records each acknowledged id and whether its send spanned a kill.</summary>
    private static async Task SendUntilStoppedAsync(IotHubModuleClient client, string lane, Func<int> epoch, ConcurrentDictionary<string, bool> acknowledged,
        CancellationToken stop, CancellationToken budget)
    {
        for (var n = 1; !stop.IsCancellationRequested; n++)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"{lane}/{n}");
            var before = epoch();
            // an unacknowledged send is never abandoned (the client resends it after a reconnect): only the budget ends it
            await client.SendEventAsync(new IotHubMessage(Encoding.UTF8.GetBytes(id)) { MessageId = id }, budget);
            acknowledged[id] = epoch() != before;
        }
    }

    private static async Task<ManagedProcess> StartEmulatorAsync(string[] arguments, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var process = ManagedProcess.Start("dotnet", arguments);
            try
            {
                await process.WaitForOutputAsync("Ctrl+C", TimeSpan.FromSeconds(60), cancellationToken);
                return process;
            }
            catch (InvalidOperationException) when (attempt < 10)
            {
                // exited before listening: a port of the killed process not yet free; try again shortly
                await process.DisposeAsync();
                await Task.Delay(500, cancellationToken);
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }
    }

    private static async Task WaitForAsync(Func<int> count, int target, ManagedProcess emulator, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (count() < target)
        {
            Assert.False(emulator.HasExited, "the emulator exited: " + emulator.Output);
            Assert.True(DateTime.UtcNow < deadline, $"{count()} of {target} messages acknowledged within 60 s:\n{emulator.Output}");
            await Task.Delay(20, cancellationToken);
        }
    }

    private static string CliDll()
    {
        // the CLI is built with the test project (project reference), in the same configuration
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        return RepoPaths.Require(Path.Combine(RepoPaths.Root, "tools", "RetailEdge.Cli", "bin", configuration, "net10.0", "retailedge.dll"), "the built retailedge CLI");
    }
}
