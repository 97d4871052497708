using System.Diagnostics;
using RetailEdge.Contracts.Twin;
using RetailEdge.Simulator;

namespace RetailEdge.Benchmarks.Gateway;

/// <summary>
/// One reference store-day through the gateway engine in a fresh process, so that peak RSS and CPU
/// seconds are those of one day (JIT included), not of earlier phases: run it on its own.
/// Args: none (simulator in the same process), or <c>--write FILE</c> (pre-generate the day: the start,
/// then per event its arrival (UTC ticks), length and exact bytes, faults included; the reference
/// data in FILE.ref), or <c>--replay FILE</c> (a process that only runs the gateway: events streamed
/// from the file).
/// </summary>
public sealed class GatewayDayBenchmark : IBenchmark
{
    public string Name => "gateway-day";

    public string Description => "StoreGateway: one reference store-day in a fresh process (CPU-s, peak RSS, billable units); --write FILE / --replay FILE to leave the simulator out";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var options = new SimulationOptions { Profile = "reference", Stores = 1, Duration = TimeSpan.FromDays(1), Seed = 7, Faults = FaultSettings.Default };
        if (args.Length == 2 && args[0] == "--write")
        {
            Write(new StoreSimulator(options), args[1]);
            return;
        }
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        GatewayBenchmark.DayResult day;
        string what;
        if (args.Length == 2 && args[0] == "--replay")
        {
            using var input = new BinaryReader(File.OpenRead(args[1]));
            var start = new DateTimeOffset(input.ReadInt64(), TimeSpan.Zero);
            day = await GatewayBenchmark.ReplayDayAsync(start, await File.ReadAllBytesAsync(args[1] + ".ref", cancellationToken).ConfigureAwait(false),
                Events(input), GatewaySettings.Default, cancellationToken).ConfigureAwait(false);
            what = "gateway only, events streamed from a file; JIT included";
        }
        else
        {
            day = await GatewayBenchmark.ReplayDayAsync(options, GatewaySettings.Default, cancellationToken).ConfigureAwait(false);
            what = "simulator and JIT included";
        }
        var total = (Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds;
        var memory = File.ReadLines("/proc/self/status").Where(l => l.StartsWith("Rss", StringComparison.Ordinal)).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        var gc = GC.GetGCMemoryInfo();
        Console.WriteLine($"  at the end: {string.Join(", ", memory)}; GC heap {gc.HeapSizeBytes / 1048576.0:F1} MB, committed {gc.TotalCommittedBytes / 1048576.0:F1} MB, {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} gen0/1/2 GCs");
        Console.WriteLine($"fresh process, reference store-day ({what}): {day.Events:N0} events, {day.Wall.TotalSeconds:F1} s wall, {day.Cpu:F2} CPU-s, process peak RSS {day.PeakRssMb:F0} MB, {day.Batches:N0} batches, {day.Units:N0} billable units; total CPU-s {total:F2}");
    }

    private static void Write(StoreSimulator simulator, string path)
    {
        using (var output = new BinaryWriter(File.Create(path)))
        {
            output.Write(simulator.StartOf(1).UtcTicks);
            long count = 0;
            foreach (var e in simulator.Generate())
            {
                output.Write(e.ArrivalTime.UtcTicks);
                output.Write(e.Json.Length);
                output.Write(e.Json);
                count++;
            }
            Console.WriteLine($"wrote {count:N0} events to {path}");
        }
        File.WriteAllBytes(path + ".ref", Contracts.Reference.ReferenceDataCodec.Serialize(simulator.Catalog.ReferenceSetFor(1)));
    }

    private static IEnumerable<(DateTimeOffset ArrivalTime, byte[] Json)> Events(BinaryReader input)
    {
        while (input.BaseStream.Position < input.BaseStream.Length)
        {
            var arrival = new DateTimeOffset(input.ReadInt64(), TimeSpan.Zero);
            var json = input.ReadBytes(input.ReadInt32());
            yield return (arrival, json);
        }
    }
}
