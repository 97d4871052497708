using System.Diagnostics;
using System.Globalization;
using RetailEdge.Simulator;

namespace RetailEdge.Benchmarks.Simulator;

/// <summary>
/// Generation rate and memory of the store simulator: N stores × D days streamed (a) into nothing
/// and (b) into a JSON-lines file, as `retailedge simulate` does. Prints wall and CPU rates (the
/// machine is shared, so events per CPU-second is the steadier figure), peak RSS and allocation.
/// </summary>
public sealed class SimulatorBenchmark : IBenchmark
{
    public string Name => "simulator";

    public string Description => "store simulator: events/s and peak RSS streaming N stores × D days (args: [stores=50] [days=1] [profile=reference] [faults=none])";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var stores = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
        var days = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        var profile = args.Length > 2 ? args[2] : "reference";
        var faults = args.Length > 3 ? FaultSettings.FromName(args[3]) : FaultSettings.None;
        var options = new SimulationOptions { Profile = profile, Stores = stores, Duration = TimeSpan.FromDays(days), Seed = 1, Faults = faults };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"simulator: profile {profile}, {stores} stores × {days} day(s), faults {faults.Name}, {Environment.ProcessorCount} cores"));

        // warm-up: one small store-hour so tiered JIT does not weigh on the first figures
        foreach (var _ in new StoreSimulator(options with { Stores = 1, Duration = TimeSpan.FromHours(2), Start = options.Start.AddHours(10) }).Generate())
        {
        }

        var generate = Measure("generate only", () =>
        {
            long events = 0, bytes = 0;
            foreach (var e in new StoreSimulator(options).Generate())
            {
                events++;
                bytes += e.Json.Length + 1;
            }
            return (events, bytes);
        });

        var path = Path.Combine(Path.GetTempPath(), $"simulator-bench-{Environment.ProcessId}.jsonl");
        try
        {
            var toFile = Measure("generate → file", () =>
            {
                long events = 0, bytes = 0;
                using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.SequentialScan);
                foreach (var e in new StoreSimulator(options).Generate())
                {
                    file.Write(e.Json);
                    file.WriteByte((byte)'\n');
                    events++;
                    bytes += e.Json.Length + 1;
                }
                return (events, bytes);
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"file size {new FileInfo(path).Length / 1048576.0:0.0} MiB; file/generate wall ratio {toFile.TotalSeconds / generate.TotalSeconds:0.00}"));
        }
        finally
        {
            File.Delete(path);
        }
        using (var self = Process.GetCurrentProcess())
        {
            // measured before the comparison below, which holds a store-day in memory on purpose
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"peak RSS while streaming {self.PeakWorkingSet64 / 1048576.0:0} MiB (target < 300 MiB); GC heap now {GC.GetTotalMemory(false) / 1048576.0:0} MiB"));
        }

        // the share of the cost that is JSON writing: serialise one store-day's events again
        var sample = new StoreSimulator(options with { Stores = 1 }).Generate().Select(e => e.Event!).ToList();
        Measure("StoreEventJson only", () =>
        {
            long bytes = 0;
            for (var round = 0; round < 3; round++)
            {
                foreach (var storeEvent in sample)
                {
                    bytes += Contracts.Events.StoreEventJson.Serialize(storeEvent).Length + 1;
                }
            }
            return (3L * sample.Count, bytes);
        });

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private static TimeSpan Measure(string label, Func<(long Events, long Bytes)> run)
    {
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var watch = Stopwatch.StartNew();
        var (events, bytes) = run();
        watch.Stop();
        self.Refresh();
        var cpu = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
        var wall = watch.Elapsed.TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label,-16} {events,12:#,0} events {bytes / 1048576.0,9:0.0} MiB  wall {wall,7:0.00} s  cpu {cpu,7:0.00} s  " +
            $"{events / wall,11:#,0} events/s wall  {events / Math.Max(cpu, 1e-9),11:#,0} events/cpu-s  {bytes / 1048576.0 / wall,7:0.0} MiB/s  " +
            $"alloc {allocated / (double)events,7:#,0} B/event  vs 1M events/s target {events / wall / 1_000_000:0.00}x"));
        return watch.Elapsed;
    }
}
