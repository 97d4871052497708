using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Lakehouse;

namespace RetailEdge.Benchmarks.Lakehouse;

/// <summary>
/// ARCHITECTURE.md §11 cloud figures: routed records/s into bronze, silver rows/s, and the gold
/// refresh time, for N stores × 1 day (default 100 reference stores) on this machine.
/// </summary>
public sealed class LakehouseScaleBenchmark : IBenchmark
{
    public string Name => "lakehouse-scale";

    public string Description =>
        "routed → bronze → silver → gold throughput (args: [stores=100] [profile=reference] [files per bronze commit=200] [bronze commits per refine run=20] [silver tables written at once=2]; defaults = the processor's)";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var stores = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
        var profile = args.Length > 1 ? args[1] : "reference";
        var landerOptions = new LanderOptions();
        var refinerOptions = new RefinerOptions();
        landerOptions = args.Length > 2 ? landerOptions with { MaxFilesPerCommit = int.Parse(args[2], CultureInfo.InvariantCulture) } : landerOptions;
        refinerOptions = args.Length > 3 ? refinerOptions with { MaxBronzeCommits = int.Parse(args[3], CultureInfo.InvariantCulture) } : refinerOptions;
        refinerOptions = args.Length > 4 ? refinerOptions with { ParallelTableWrites = int.Parse(args[4], CultureInfo.InvariantCulture) } : refinerOptions;
        var root = Path.Combine(Path.GetTempPath(), $"retailedge-bench-scale-{Guid.NewGuid():N}");
        try
        {
            var source = Path.Combine(root, "routed");
            var routed = LakehouseBenchData.Write(source, profile, stores, TimeSpan.FromDays(1), seed: 3);
            Console.WriteLine($"input: {stores} {profile} stores × 1 day → {routed.Batches:N0} routed records, {routed.Bytes / 1e6:F1} MB (simulated and aggregated in {routed.Elapsed.TotalSeconds:F1} s)");
            Console.WriteLine($"settings: ≤ {landerOptions.MaxFilesPerCommit} routed files per bronze commit, ≤ {refinerOptions.MaxBronzeCommits} bronze commits per refine run, "
                + $"{refinerOptions.ParallelTableWrites} silver tables written at once, "
                + $"{Environment.ProcessorCount} cores; load average before: {LoadAverage()}");
            using var lake = new LakeContext(new LocalLakeStoreFactory(Path.Combine(root, "lake")), TimeProvider.System, Path.Combine(root, "scratch"));
            var lander = new Lander(lake, new FolderTelemetrySource(source), landerOptions, NullLogger<Lander>.Instance);
            var refiner = new Refiner(lake, refinerOptions, NullLogger<Refiner>.Instance);
            var builder = new Builder(lake, NullLogger<Builder>.Instance);

            using var self = Process.GetCurrentProcess();
            TimeSpan Cpu() { self.Refresh(); return self.TotalProcessorTime; }
            // the simulation's memory is not the lake's: each stage's peak is measured from a fresh high-water mark
            GC.Collect();
            GC.WaitForPendingFinalizers();
            PeakRss.Reset();
            var cpu = Cpu();
            var watch = Stopwatch.StartNew();
            long records = 0;
            LandResult land;
            while ((land = await lander.RunOnceAsync(cancellationToken).ConfigureAwait(false)).Files > 0)
            {
                records += land.Records;
            }
            var landSeconds = watch.Elapsed.TotalSeconds;
            var landCpu = (Cpu() - cpu).TotalSeconds;
            var landPeak = PeakRss.ReadAndReset();
            cpu = Cpu();
            watch.Restart();
            long silverRows = 0, batches = 0, runs = 0;
            RefineResult refine;
            do
            {
                refine = await refiner.RunOnceAsync(cancellationToken).ConfigureAwait(false);
                silverRows += refine.SilverRows;
                batches += refine.Batches;
                runs++;
            }
            while (refine.MoreAvailable);
            var refineSeconds = watch.Elapsed.TotalSeconds;
            var refineCpu = (Cpu() - cpu).TotalSeconds;
            var refinePeak = PeakRss.ReadAndReset();
            cpu = Cpu();
            watch.Restart();
            var build = await builder.RunOnceAsync(cancellationToken).ConfigureAwait(false);
            var buildSeconds = watch.Elapsed.TotalSeconds;
            var buildCpu = (Cpu() - cpu).TotalSeconds;
            var buildPeak = PeakRss.ReadAndReset();

            var total = landSeconds + refineSeconds + buildSeconds;
            Console.WriteLine($"bronze: {records:N0} routed records in {landSeconds:F1} s = {records / landSeconds:N0} records/s, {landCpu:F1} CPU-s, peak RSS {landPeak}");
            Console.WriteLine($"silver: {batches:N0} batches → {silverRows:N0} rows in {refineSeconds:F1} s = {silverRows / refineSeconds:N0} rows/s, {refineCpu:F1} CPU-s, peak RSS {refinePeak} ({runs} refine runs)");
            Console.WriteLine($"gold:   {build.Tables.Count} tables refreshed from all of it in {buildSeconds:F1} s = {silverRows / buildSeconds:N0} silver rows/s, {buildCpu:F1} CPU-s, peak RSS {buildPeak}");
            Console.WriteLine($"total:  routed files → gold in {total:F1} s, {landCpu + refineCpu + buildCpu:F1} CPU-s; load average after: {LoadAverage()}");
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

    /// <summary>
    /// The process's peak resident set (VmHWM) since the last reset; Linux resets it when 5 is
    /// written to /proc/self/clear_refs. "n/a" where either is missing.
    /// </summary>
    private static class PeakRss
    {
        public static void Reset()
        {
            try
            {
                File.WriteAllText("/proc/self/clear_refs", "5");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // not Linux, or not allowed: the figure then covers the whole process
            }
        }

        public static string ReadAndReset()
        {
            var line = File.Exists("/proc/self/status")
                ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
                : null;
            Reset();
            return line is null ? "n/a" : $"{long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024:N0} MB";
        }
    }

    /// <summary>The 1/5/15-minute load averages (the machine may be shared: figures are read against them).</summary>
    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
