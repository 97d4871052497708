using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Lakehouse;

namespace RetailEdge.Benchmarks.Lakehouse;

/// <summary>
/// ARCHITECTURE.md §11: time to refresh the lake after one new batch with 1 day vs 30 days of
/// history (one store). The refresh (land + refine + build) must cost about the same, not 30×:
/// every job reads only what was committed since its txn version, and gold rewrites only the
/// partitions the new rows touch. Both lakes are prepared first, then refreshed alternately
/// (one unmeasured warm-up each) so that machine load and JIT hit both sides alike.
/// </summary>
public sealed class LakehouseIncrementalBenchmark : IBenchmark
{
    public string Name => "lakehouse-incremental";

    public string Description => "refresh after one new batch: 1 day vs 30 days of history (args: [profile=small] [refreshes=7])";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var profile = args.Length > 0 ? args[0] : "small";
        var refreshes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
        using var oneDay = await History.CreateAsync(profile, 1, cancellationToken).ConfigureAwait(false);
        using var thirtyDays = await History.CreateAsync(profile, 30, cancellationToken).ConfigureAwait(false);
        await oneDay.RefreshAsync(0, cancellationToken).ConfigureAwait(false);
        await thirtyDays.RefreshAsync(0, cancellationToken).ConfigureAwait(false);
        for (var n = 1; n <= refreshes; n++)
        {
            await oneDay.RefreshAsync(n, cancellationToken).ConfigureAwait(false);
            await thirtyDays.RefreshAsync(n, cancellationToken).ConfigureAwait(false);
        }
        var a = oneDay.Medians();
        var b = thirtyDays.Medians();
        Console.WriteLine();
        Console.WriteLine($"refresh after one new batch (median of {refreshes}), profile {profile}, 1 store:");
        Console.WriteLine($"  history  1 day : total {a.Total,6:F0} ms  (land {a.Land:F0}, refine {a.Refine:F0}, build {a.Build:F0})  silver files {oneDay.SilverFiles}");
        Console.WriteLine($"  history 30 days: total {b.Total,6:F0} ms  (land {b.Land:F0}, refine {b.Refine:F0}, build {b.Build:F0})  silver files {thirtyDays.SilverFiles}");
        Console.WriteLine($"  ratio 30d / 1d : total {b.Total / a.Total:F2}x, build {b.Build / a.Build:F2}x (target ≤ 2x)");
    }

    private sealed class History : IDisposable
    {
        private readonly string _root;
        private readonly string _source;
        private readonly LakeContext _lake;
        private readonly Lander _lander;
        private readonly Refiner _refiner;
        private readonly Builder _builder;
        private readonly LakehouseBenchData.Routed _routed;
        private readonly int _days;
        private readonly List<(double Total, double Land, double Refine, double Build)> _samples = [];

        private History(string root, string source, LakeContext lake, LakehouseBenchData.Routed routed, int days)
        {
            _root = root;
            _source = source;
            _lake = lake;
            _routed = routed;
            _days = days;
            _lander = new Lander(lake, new FolderTelemetrySource(source), new LanderOptions { MaxFilesPerCommit = 500 }, NullLogger<Lander>.Instance);
            _refiner = new Refiner(lake, new RefinerOptions { MaxBronzeCommits = 50 }, NullLogger<Refiner>.Instance);
            _builder = new Builder(lake, NullLogger<Builder>.Instance);
        }

        public int SilverFiles { get; private set; }

        public static async Task<History> CreateAsync(string profile, int days, CancellationToken cancellationToken)
        {
            var root = Path.Combine(Path.GetTempPath(), $"retailedge-bench-incr-{days}-{Guid.NewGuid():N}");
            var source = Path.Combine(root, "routed");
            var routed = LakehouseBenchData.Write(source, profile, 1, TimeSpan.FromDays(days), seed: 5);
            var lake = new LakeContext(new LocalLakeStoreFactory(Path.Combine(root, "lake")), TimeProvider.System, Path.Combine(root, "scratch"));
            var history = new History(root, source, lake, routed, days);
            var watch = Stopwatch.StartNew();
            while ((await history._lander.RunOnceAsync(cancellationToken).ConfigureAwait(false)).Files > 0)
            {
            }
            while ((await history._refiner.RunOnceAsync(cancellationToken).ConfigureAwait(false)).MoreAvailable)
            {
            }
            await history._builder.RunOnceAsync(cancellationToken).ConfigureAwait(false);
            foreach (var table in LakeTables.SilverTables)
            {
                history.SilverFiles += (await lake.Table(table).TryLoadAsync(cancellationToken).ConfigureAwait(false))?.Files.Count ?? 0;
            }
            Console.WriteLine($"history {days} d: {routed.Batches} batches routed in {routed.Elapsed.TotalSeconds:F1} s, loaded into the lake in {watch.Elapsed.TotalSeconds:F1} s");
            return history;
        }

        /// <summary>One new batch, then land + refine + build; sample 0 is the warm-up and not kept.</summary>
        public async Task RefreshAsync(int n, CancellationToken cancellationToken)
        {
            LakehouseBenchData.WriteOneBatch(_source, _routed.MaxSeq + n + 1, _routed.LastCreatedAt.AddMinutes(n + 1), n);
            var watch = Stopwatch.StartNew();
            var land = await _lander.RunOnceAsync(cancellationToken).ConfigureAwait(false);
            var landMs = watch.Elapsed.TotalMilliseconds;
            var refine = await _refiner.RunOnceAsync(cancellationToken).ConfigureAwait(false);
            var refineMs = watch.Elapsed.TotalMilliseconds - landMs;
            var build = await _builder.RunOnceAsync(cancellationToken).ConfigureAwait(false);
            var total = watch.Elapsed.TotalMilliseconds;
            if (land.Files != 1 || refine.Batches != 1 || build.Tables.Count == 0)
            {
                throw new InvalidOperationException($"refresh {n} did not process exactly the new batch ({land.Files} files, {refine.Batches} batches)");
            }
            if (n > 0)
            {
                _samples.Add((total, landMs, refineMs, total - landMs - refineMs));
                Console.WriteLine($"  {_days,2} d refresh {n}: {total:F0} ms (land {landMs:F0}, refine {refineMs:F0}, build {total - landMs - refineMs:F0})");
            }
        }

        public (double Total, double Land, double Refine, double Build) Medians()
        {
            double Median(Func<(double, double, double, double), double> f) => _samples.Select(f).Order().ElementAt(_samples.Count / 2);
            return (Median(s => s.Item1), Median(s => s.Item2), Median(s => s.Item3), Median(s => s.Item4));
        }

        public void Dispose()
        {
            _lake.Dispose();
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
