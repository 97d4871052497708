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

    public string Description => "routed → bronze → silver → gold throughput (args: [stores=100] [profile=reference])";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var stores = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
        var profile = args.Length > 1 ? args[1] : "reference";
        var root = Path.Combine(Path.GetTempPath(), $"retailedge-bench-scale-{Guid.NewGuid():N}");
        try
        {
            var source = Path.Combine(root, "routed");
            var routed = LakehouseBenchData.Write(source, profile, stores, TimeSpan.FromDays(1), seed: 3);
            Console.WriteLine($"input: {stores} {profile} stores × 1 day → {routed.Batches:N0} routed records, {routed.Bytes / 1e6:F1} MB (simulated and aggregated in {routed.Elapsed.TotalSeconds:F1} s)");
            using var lake = new LakeContext(new LocalLakeStoreFactory(Path.Combine(root, "lake")), TimeProvider.System, Path.Combine(root, "scratch"));
            var lander = new Lander(lake, new FolderTelemetrySource(source), new LanderOptions { MaxFilesPerCommit = 8 }, NullLogger<Lander>.Instance);
            var refiner = new Refiner(lake, new RefinerOptions { MaxBronzeCommits = 1 }, NullLogger<Refiner>.Instance);
            var builder = new Builder(lake, NullLogger<Builder>.Instance);

            var watch = Stopwatch.StartNew();
            long records = 0;
            LandResult land;
            while ((land = await lander.RunOnceAsync(cancellationToken).ConfigureAwait(false)).Files > 0)
            {
                records += land.Records;
            }
            var landSeconds = watch.Elapsed.TotalSeconds;
            watch.Restart();
            long silverRows = 0, batches = 0;
            RefineResult refine;
            do
            {
                refine = await refiner.RunOnceAsync(cancellationToken).ConfigureAwait(false);
                silverRows += refine.SilverRows;
                batches += refine.Batches;
            }
            while (refine.MoreAvailable);
            var refineSeconds = watch.Elapsed.TotalSeconds;
            watch.Restart();
            var build = await builder.RunOnceAsync(cancellationToken).ConfigureAwait(false);
            var buildSeconds = watch.Elapsed.TotalSeconds;

            Console.WriteLine($"bronze: {records:N0} routed records in {landSeconds:F1} s = {records / landSeconds:N0} records/s");
            Console.WriteLine($"silver: {batches:N0} batches → {silverRows:N0} rows in {refineSeconds:F1} s = {silverRows / refineSeconds:N0} rows/s");
            Console.WriteLine($"gold:   {build.Tables.Count} tables refreshed from all of it in {buildSeconds:F1} s");
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
}
