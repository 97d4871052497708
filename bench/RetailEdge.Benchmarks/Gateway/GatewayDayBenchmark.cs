using System.Diagnostics;
using RetailEdge.Contracts.Twin;
using RetailEdge.Simulator;

namespace RetailEdge.Benchmarks.Gateway;

/// <summary>
/// One reference store-day through the gateway engine in a fresh process, so that peak RSS and CPU
/// seconds are those of one day (JIT included), not of earlier phases: run it on its own.
/// Args: none (simulator in the same process), or <c>--write FILE</c> (pre-generate the day: the start,
/// then per event its arrival (UTC ticks), length and exact bytes, faults included; the reference
/// data in FILE.ref), or <c>--replay FILE</c> (a process that only runs the gateway, under the module's
/// runtimeconfig.json: events streamed from the file; <c>--replay-here FILE</c> runs it in this process
/// with the benchmark's own runtime settings).
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
        if (args.Length == 2 && args[0] == "--replay")
        {
            await ReplayUnderModuleRuntimeAsync(args[1], cancellationToken).ConfigureAwait(false);
            return;
        }
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        GatewayBenchmark.DayResult day;
        string what;
        if (args.Length == 2 && args[0] == "--replay-here")
        {
            Console.WriteLine($"runtime: server GC {System.Runtime.GCSettings.IsServerGC}, latency mode {System.Runtime.GCSettings.LatencyMode} (Batch = non-concurrent), "
                + $"TieredPGO {AppContext.GetData("System.Runtime.TieredPGO") ?? "(default)"}, GCgen0size {AppContext.GetData("GCgen0size") ?? "(default)"}, "
                + $"ConserveMemory {AppContext.GetData("System.GC.ConserveMemory") ?? "(default)"}");
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
        Console.WriteLine($"  at the end: {string.Join(", ", memory)}; GC heap {gc.HeapSizeBytes / 1048576.0:F1} MB, committed {gc.TotalCommittedBytes / 1048576.0:F1} MB, {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} gen0/1/2 GCs; after the last GC gen0/1/2/LOH/POH {string.Join("/", gc.GenerationInfo.ToArray().Select(g => (g.SizeAfterBytes / 1048576.0).ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))} MB");
        // The rest of the resident set, for BENCHMARKS.md's account of every MB: SQLite's own allocations
        // (page caches, statements) at their peak, and what the JIT compiled.
        Console.WriteLine($"  SQLite memory peak {SQLitePCL.raw.sqlite3_memory_highwater(0) / 1048576.0:F1} MB (now {SQLitePCL.raw.sqlite3_memory_used() / 1048576.0:F1} MB); JIT: {System.Runtime.JitInfo.GetCompiledMethodCount():N0} methods, {System.Runtime.JitInfo.GetCompiledILBytes() / 1024.0:N0} KB IL, {System.Runtime.JitInfo.GetCompilationTime().TotalSeconds:F2} s; {Process.GetCurrentProcess().Threads.Count} threads");
        Console.WriteLine($"fresh process, reference store-day ({what}): {day.Events:N0} events, {day.Wall.TotalSeconds:F1} s wall, {day.Cpu:F2} CPU-s, process peak RSS {day.PeakRssMb:F0} MB, {day.Batches:N0} batches, {day.Units:N0} billable units; total CPU-s {total:F2}");
    }

    /// <summary>
    /// Runs the replay in a child process under the StoreGateway module's own runtimeconfig.json (GC mode,
    /// tiering as the module ships them, and without DOTNET_ variables), so the figures are the module's,
    /// not those of this benchmark's runtime settings or of environment variables.
    /// </summary>
    private static async Task ReplayUnderModuleRuntimeAsync(string file, CancellationToken cancellationToken)
    {
        var output = AppContext.BaseDirectory;
        var configuration = new DirectoryInfo(output.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var runtimeConfig = Testing.RepoPaths.Require(
            Path.Combine(Testing.RepoPaths.Root, "edge", "modules", "StoreGateway", "bin", configuration, "net10.0", "StoreGateway.runtimeconfig.json"), "the built StoreGateway module");
        var self = typeof(GatewayDayBenchmark).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        // Runtime variables set for the benchmark would override the module's file; the module ships none.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("DOTNET_", StringComparison.Ordinal) || k.StartsWith("COMPlus_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        foreach (var argument in (string[])["exec", "--runtimeconfig", runtimeConfig, "--depsfile", Path.ChangeExtension(self, ".deps.json"), self,
            "gateway-day", "--replay-here", file])
        {
            start.ArgumentList.Add(argument);
        }
        Console.WriteLine($"replaying in a fresh process under {Path.GetRelativePath(Testing.RepoPaths.Root, runtimeConfig)}");
        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        await child.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"the replay process exited with {child.ExitCode}");
        }
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
