using System.Diagnostics;
using System.Globalization;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Twin;
using RetailEdge.GatewayDayReplay;
using RetailEdge.Simulator;
using RetailEdge.StoreGateway.Core;

namespace RetailEdge.Benchmarks.Gateway;

/// <summary>
/// The StoreGateway engine on a real SQLite journal (WAL, synchronous=FULL):
/// (1) a reference store-day (default faults) replayed as fast as possible with the clock following
/// the arrival times: wall time, CPU seconds and peak RSS, billable 4 KB units at the defaults (60 s
/// window sealed 5 s after its end, sent on seal) against one message per store event and per basket line;
/// (2) the same day at a 5-minute send interval (units);
/// (3) ingest → durable acknowledgement events/s, as HTTP-like batches and as MQTT-like single events;
/// (4) acknowledgement latency p50/p99 at a steady 5,000 events/s.
/// Args: [steady seconds, default 10] [steady: only phase 4 | ingest: only phase 3, three rounds |
/// live [journal folder]: only the live-store variant of phase 4 (<see cref="GatewayLiveBenchmark"/>:
/// wall-clock event times, default settings) in a child process under the module's runtimeconfig |
/// live-here [journal folder]: the same in this process, under the benchmark's runtime settings].
/// </summary>
public sealed class GatewayBenchmark : IBenchmark
{
    public string Name => "gateway";

    public string Description => "StoreGateway: store-day CPU/RSS/billable units, ingest→durable ack events/s, p99 ack latency at 5,000 events/s";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var steadySeconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        Console.WriteLine($"Gateway benchmark on {Environment.ProcessorCount} cores (shared machine)");
        if (args.Length > 1 && args[1] is "live" or "live-here")
        {
            // The latency phase as a live store loads it (windows close and seal during the run), in a
            // child process under the module's runtimeconfig ("live-here": in this process, with the
            // benchmark's runtime settings). Optional third arg: a folder for the journal (e.g. tmpfs,
            // to take fsync out of the path).
            var dataRoot = args.Length > 2 ? args[2] : null;
            if (args[1] == "live")
            {
                await ModuleRuntime.RunHereUnderModuleConfigAsync(["gateway", args[0], "live-here", .. dataRoot is null ? Array.Empty<string>() : [dataRoot]], cancellationToken).ConfigureAwait(false);
                return;
            }
            // As the module's Program does.
            GatewayGcMode.Apply();
            ModuleRuntime.PrintSettings();
            await GatewayLiveBenchmark.RunAsync(steadySeconds, 5000, dataRoot, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (args.Length > 1 && args[1] == "ingest")
        {
            // Only the ingest → durable acknowledgement phases (before/after comparisons in one sitting).
            var ingestTemplates = ValidPayloads(new SimulationOptions { Profile = "reference", Stores = 1, Duration = TimeSpan.FromDays(2), Seed = 8 });
            var ingestPayloads = Enumerable.Range(0, 100_000).Select(i => WithId(ingestTemplates[i % ingestTemplates.Count], i)).ToList();
            for (var pass = 1; pass <= 2; pass++)
            {
                Console.Write($"pass {pass}: ");
                Breakdown(ingestPayloads.Take(20_000).ToList());
            }
            for (var round = 1; round <= 3; round++)
            {
                await ThroughputAsync($"round {round}, HTTP-like: 4 producers × batches of 200", ingestPayloads, producers: 4, batch: 200, cancellationToken).ConfigureAwait(false);
            }
            await ThroughputAsync("MQTT-like: 256 concurrent single events", ingestPayloads, producers: 256, batch: 1, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (args.Length > 1 && args[1] == "steady")
        {
            // Only the latency phase (for repeating it on a noisy machine).
            var steadyTemplates = ValidPayloads(new SimulationOptions { Profile = "reference", Stores = 1, Duration = TimeSpan.FromDays(2), Seed = 8 });
            var steadyPayloads = Enumerable.Range(50_000, 50_000).Select(i => WithId(steadyTemplates[i % steadyTemplates.Count], i)).ToList();
            await SteadyLatencyAsync(steadyPayloads, 5000, steadySeconds, cancellationToken).ConfigureAwait(false);
            return;
        }
        var options = new SimulationOptions { Profile = "reference", Stores = 1, Duration = TimeSpan.FromDays(1), Seed = 7, Faults = FaultSettings.Default };

        // Baseline: the simulator alone, so its share can be taken out of the replay's CPU and RSS.
        StoreDay.ResetPeakRss();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        long simEvents = 0, lines = 0, perEventUnits = 0, validEvents = 0;
        foreach (var e in new StoreSimulator(options).Generate())
        {
            simEvents++;
            if (e.ExpectedReason is null)
            {
                validEvents++;
                // One message per store event: the event JSON as body plus a message id and content type/encoding.
                perEventUnits += (e.Json.Length + 40 + 32 + 4095) / 4096;
                lines += e.Event is BasketEvent basket ? basket.Lines.Count : 0;
            }
        }
        var simCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        var simRss = StoreDay.PeakRssMb();
        Console.WriteLine($"simulator alone: {simEvents:N0} events ({validEvents:N0} valid, {lines:N0} basket lines) in {simCpu:F2} CPU-s, peak RSS {simRss:F0} MB");

        // The first replay also pays for JIT compilation and warms caches; the second is the steady figure.
        var cold = await ReplayDayAsync(options, GatewaySettings.Default, cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"store-day replay (cold, incl. JIT): {cold.Wall.TotalSeconds:F1} s wall, {cold.Cpu:F2} CPU-s incl. simulator, peak RSS {cold.PeakRssMb:F0} MB");
        var day = await ReplayDayAsync(options, GatewaySettings.Default, cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"store-day replay at the defaults (60 s window, sealed 5 s after its end, sent on seal): {day.Events:N0} events in {day.Wall.TotalSeconds:F1} s wall, {day.Cpu:F2} CPU-s incl. simulator => gateway ≈ {day.Cpu - simCpu:F2} CPU-s; peak RSS {day.PeakRssMb:F0} MB incl. simulator (simulator alone {simRss:F0} MB)");
        Console.WriteLine($"  batches {day.Batches:N0}, billable units {day.Units:N0} (target ≤ 1,500), bytes {day.Bytes:N0}");
        Console.WriteLine($"  one message per store event: {perEventUnits:N0} units => ratio {perEventUnits / (double)day.Units:F1}x");
        Console.WriteLine($"  one message per basket line: {lines:N0} units => ratio {lines / (double)day.Units:F1}x");

        var slow = await ReplayDayAsync(options, GatewaySettings.Default with { SendInterval = TimeSpan.FromMinutes(5) }, cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"store-day at 5-minute send interval: batches {slow.Batches:N0}, billable units {slow.Units:N0} ({day.Units / (double)slow.Units:F2}x fewer than on seal)");

        var templates = ValidPayloads(new SimulationOptions { Profile = "reference", Stores = 1, Duration = TimeSpan.FromDays(2), Seed = 8 });
        // Unique ids, so every event is new to the journal (a repeated id would take the duplicate path).
        var payloads = Enumerable.Range(0, 100_000).Select(i => WithId(templates[i % templates.Count], i)).ToList();
        var small = payloads.Where(p => p.Length < 400).ToList();
        Console.WriteLine($"ingest payloads: {payloads.Count:N0} valid events (mean {payloads.Average(p => p.Length):F0} bytes); {small.Count:N0} small events (weighings, mean {small.DefaultIfEmpty([]).Average(p => p.Length):F0} bytes)");
        // The first pass runs mostly unoptimised (tier-0) code; the later ones show the steady cost.
        for (var pass = 1; pass <= 3; pass++)
        {
            Console.Write($"pass {pass}: ");
            Breakdown(payloads.Take(20_000).ToList());
        }
        await ThroughputAsync("HTTP-like: 4 producers × batches of 200", payloads, producers: 4, batch: 200, cancellationToken).ConfigureAwait(false);
        await ThroughputAsync("MQTT-like: 256 concurrent single events", payloads, producers: 256, batch: 1, cancellationToken).ConfigureAwait(false);
        await SteadyLatencyAsync(payloads.Skip(50_000).ToList(), 5000, steadySeconds, cancellationToken).ConfigureAwait(false);
    }

    internal static Task<DayResult> ReplayDayAsync(SimulationOptions options, GatewaySettings settings, CancellationToken cancellationToken)
    {
        var simulator = new StoreSimulator(options);
        var reference = Contracts.Reference.ReferenceDataCodec.Serialize(simulator.Catalog.ReferenceSetFor(1));
        return StoreDay.ReplayAsync(simulator.StartOf(1), reference, simulator.Generate().Select(e => (e.ArrivalTime, e.Json)), settings, cancellationToken);
    }

    /// <summary>Single-threaded cost of each step of the acknowledgement path, per event.</summary>
    private static void Breakdown(List<byte[]> payloads)
    {
        var validator = new Contracts.Validation.EventValidator(new Contracts.Validation.EventValidationOptions { ExpectedStoreId = 1 });
        var at = SimulationOptions.DefaultStart.AddDays(3);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var results = payloads.Select(p => validator.Validate(p, at)).ToList();
        var validate = watch.Elapsed.TotalMicroseconds / payloads.Count;
        var aggregator = new Aggregation.GatewayAggregator(new Aggregation.AggregatorOptions
        {
            StoreId = 1, Gateway = "store001-gw", Settings = HeldOpen,
        });
        watch.Restart();
        var tag = 0L;
        foreach (var result in results)
        {
            aggregator.Add(result.Event!, at, ++tag);
        }
        var aggregate = watch.Elapsed.TotalMicroseconds / payloads.Count;
        watch.Restart();
        var sealedBatches = aggregator.Seal(at, force: true);
        var seal = watch.Elapsed.TotalMicroseconds / payloads.Count;
        var directory = Path.Combine(Path.GetTempPath(), "retailedge-gateway-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var journal = new GatewayJournal(directory);
            var entries = payloads.Zip(results).Select(x => new JournalEntry(x.First, x.Second, at, IngestSources.Test)).ToList();
            watch.Restart();
            foreach (var chunk in entries.Chunk(200))
            {
                journal.Append(chunk, rejectNew: false);
            }
            var append = watch.Elapsed.TotalMicroseconds / payloads.Count;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMicroseconds / payloads.Count;
            Console.WriteLine($"per event, one thread: validate {validate:F1} µs, journal append (groups of 200, fsync each) {append:F1} µs, aggregate {aggregate:F1} µs, seal+encode (forced, {sealedBatches.Count} batches) {seal:F1} µs; all four {cpu:F1} CPU-µs");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static byte[] WithId(byte[] json, int n)
    {
        var text = System.Text.Encoding.UTF8.GetString(json);
        var start = text.IndexOf("\"id\":\"", StringComparison.Ordinal) + 6;
        var end = text.IndexOf('"', start);
        return System.Text.Encoding.UTF8.GetBytes(string.Concat(text.AsSpan(0, end), "-u", n.ToString(CultureInfo.InvariantCulture), text.AsSpan(end)));
    }

    private static List<byte[]> ValidPayloads(SimulationOptions options) =>
        new StoreSimulator(options).Generate().Where(e => e.ExpectedReason is null).Select(e => e.Json).ToList();

    /// <summary>
    /// Settings that keep replayed windows open: payloads carry timestamps of two simulated days in the
    /// past, not "now", so with the default grace every group would close its windows at once and seal
    /// nearly one row per line, a load a live store never produces (the live variant seals as a store does).
    /// </summary>
    private static readonly GatewaySettings HeldOpen = GatewaySettings.Default with { SealGrace = TimeSpan.FromDays(7) };

    /// <summary>
    /// An engine for replayed payloads (<see cref="HeldOpen"/>), so this measures the acknowledgement path
    /// (validate, journal commit, aggregate); sealing is timed at the end.
    /// </summary>
    private static GatewayEngine ReplayedDayEngine(string directory) => new(new GatewayEngineOptions
    {
        StoreId = 1, GatewayId = "store001-gw", DataDirectory = directory, FutureTolerance = TimeSpan.FromDays(3650),
        InitialSettings = HeldOpen,
        TimeProvider = new ArrivalClock(SimulationOptions.DefaultStart),
    });

    private static async Task ThroughputAsync(string label, List<byte[]> payloads, int producers, int batch, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "retailedge-gateway-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var engine = ReplayedDayEngine(directory);
            using var stop = new CancellationTokenSource();
            var loop = Task.Run(() => engine.RunAsync(stop.Token), cancellationToken);
            var next = -1;
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            var tasks = Enumerable.Range(0, producers).Select(_ => Task.Run(async () =>
            {
                var parts = new List<ReadOnlyMemory<byte>>(batch);
                while (true)
                {
                    parts.Clear();
                    for (var i = 0; i < batch; i++)
                    {
                        var index = Interlocked.Increment(ref next);
                        if (index >= payloads.Count)
                        {
                            break;
                        }
                        parts.Add(payloads[index]);
                    }
                    if (parts.Count == 0)
                    {
                        return;
                    }
                    await engine.IngestAsync(parts, IngestSources.Test, cancellationToken).ConfigureAwait(false);
                }
            }, cancellationToken)).ToList();
            await Task.WhenAll(tasks).ConfigureAwait(false);
            wall.Stop();
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            var status = await engine.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            var sealCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var sealWall = Stopwatch.StartNew();
            var sealedBatches = await engine.FlushAsync(cancellationToken).ConfigureAwait(false);
            var sealCpu = (Process.GetCurrentProcess().TotalProcessorTime - sealCpu0).TotalSeconds;
            await stop.CancelAsync().ConfigureAwait(false);
            await loop.ConfigureAwait(false);
            Console.WriteLine($"{label}: {status.Accepted:N0} events durable in {wall.Elapsed.TotalSeconds:F2} s => {status.Accepted / wall.Elapsed.TotalSeconds:N0} events/s ({cpu:F2} CPU-s, {status.Accepted / cpu:N0} events per CPU-second; target ≥ 50,000/s); then sealing {status.OpenWindows:N0} windows into {sealedBatches:N0} batches took {sealWall.Elapsed.TotalSeconds:F2} s, {sealCpu:F2} CPU-s");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task SteadyLatencyAsync(List<byte[]> payloads, int perSecond, int seconds, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "retailedge-gateway-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var engine = ReplayedDayEngine(directory);
            using var stop = new CancellationTokenSource();
            var loop = Task.Run(() => engine.RunAsync(stop.Token), cancellationToken);
            var total = Math.Min(perSecond * seconds, payloads.Count);
            var latencies = new double[total];
            var pause0 = GC.GetTotalPauseDuration();
            var gcs0 = GC.CollectionCount(0) + GC.CollectionCount(1) * 1000 + GC.CollectionCount(2) * 1_000_000;
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var pending = new List<Task>(total);
            var clock = Stopwatch.StartNew();
            var issued = 0;
            while (issued < total)
            {
                var due = Math.Min(total, (int)(clock.Elapsed.TotalSeconds * perSecond));
                for (; issued < due; issued++)
                {
                    var index = issued;
                    var started = Stopwatch.GetTimestamp();
                    var payload = payloads[index];
                    pending.Add(Task.Run(async () =>
                    {
                        // A fresh id per event (an MQTT lane never repeats ids), same shape and size.
                        var outcome = await engine.IngestAsync(payload, IngestSources.Test, cancellationToken).ConfigureAwait(false);
                        latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        _ = outcome;
                    }, cancellationToken));
                }
                Thread.Sleep(1);
            }
            await Task.WhenAll(pending).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await loop.ConfigureAwait(false);
            Array.Sort(latencies);
            double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
            var gcs = GC.CollectionCount(0) + GC.CollectionCount(1) * 1000 + GC.CollectionCount(2) * 1_000_000 - gcs0;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            Console.WriteLine($"steady {perSecond:N0} events/s for {seconds} s ({clock.Elapsed.TotalSeconds:F1} s): ack latency p50 {P(0.50):F2} ms, p99 {P(0.99):F2} ms, max {latencies[^1]:F2} ms (target p99 ≤ 20 ms); {cpu:F2} CPU-s; GC pauses {(GC.GetTotalPauseDuration() - pause0).TotalMilliseconds:F0} ms in {gcs % 1000}/{gcs / 1000 % 1000}/{gcs / 1_000_000} gen0/1/2 collections");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
