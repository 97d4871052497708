using System.Diagnostics;
using System.Globalization;
using RetailEdge.Delta;
using RetailEdge.Delta.Actions;
using RetailEdge.Delta.Storage;
using DuckDB.NET.Data;

namespace RetailEdge.Benchmarks.Delta;

/// <summary>
/// Delta table throughput: rows/s appending narrow rows in a few commits (against a plain DuckDB
/// COPY of the same rows as the baseline), and cold snapshot load time of a long log with and
/// without checkpoints. Args: [rows=10000000] [commits=10] [logCommits=1000].
/// </summary>
public sealed class DeltaBenchmark : IBenchmark
{
    public string Name => "delta";

    public string Description => "Delta append rows/s (vs raw COPY) and snapshot load of a 1,000-commit log with/without checkpoints";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var rows = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 10_000_000;
        var commits = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var logCommits = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000;
        var root = Path.Combine(Path.GetTempPath(), "retailedge-bench-delta-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            using var database = DuckDbConnectionExtensions.OpenInMemory();
            using var connection = database.Connect();
            await AppendAsync(database, connection, root, rows, commits, cancellationToken).ConfigureAwait(false);
            await SnapshotLoadAsync(database, root, logCommits, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Batch(long from, long count) =>
        $"SELECT range AS id, CAST(range % 500 AS INTEGER) AS item, CAST(range % 7 AS INTEGER) AS qty FROM range({from}, {from + count})";

    private static async Task AppendAsync(DuckDBConnection database, DuckDBConnection connection, string root, long rows, int commits, CancellationToken cancellationToken)
    {
        var perCommit = rows / commits;
        var schema = new DeltaSchema([new DeltaField("id", DeltaType.Long), new DeltaField("item", DeltaType.Integer), new DeltaField("qty", DeltaType.Integer)]);

        // baseline: the same rows straight to ZSTD Parquet, no log, no stats
        var raw = Stopwatch.StartNew();
        for (var c = 0; c < commits; c++)
        {
            var file = Path.Combine(root, $"raw-{c}.parquet");
            connection.Execute($"COPY ({Batch(c * perCommit, perCommit)}) TO '{file}' (FORMAT parquet, COMPRESSION zstd)");
        }
        raw.Stop();

        var table = DeltaTable.Open(new LocalDeltaLogStore(Path.Combine(root, "append")), database);
        await table.CreateAsync(schema, [], null, cancellationToken).ConfigureAwait(false);
        var delta = Stopwatch.StartNew();
        for (var c = 0; c < commits; c++)
        {
            await table.WriteAsync(connection, Batch(c * perCommit, perCommit), null, cancellationToken).ConfigureAwait(false);
        }
        delta.Stop();
        var snapshot = await table.GetSnapshotAsync(null, cancellationToken).ConfigureAwait(false);
        var written = snapshot.NumRecordsFromStats ?? 0;
        if (written != perCommit * commits)
        {
            throw new InvalidOperationException($"expected {perCommit * commits} rows in the table, stats say {written}");
        }
        var bytes = snapshot.Files.Sum(f => f.Size);
        Console.WriteLine($"append: {written:N0} rows in {commits} commits");
        Console.WriteLine($"  delta append      {delta.Elapsed.TotalSeconds,8:F2} s  {written / delta.Elapsed.TotalSeconds,14:N0} rows/s  ({bytes / 1048576.0:F1} MiB parquet)");
        Console.WriteLine($"  raw COPY baseline {raw.Elapsed.TotalSeconds,8:F2} s  {written / raw.Elapsed.TotalSeconds,14:N0} rows/s");
        Console.WriteLine($"  delta / raw time  {delta.Elapsed.TotalSeconds / raw.Elapsed.TotalSeconds,8:F2}x (staging, stats query, log commit)");
    }

    private static async Task SnapshotLoadAsync(DuckDBConnection database, string root, int logCommits, CancellationToken cancellationToken)
    {
        Console.WriteLine($"snapshot load: {logCommits:N0} commits, one add each");
        var without = await BuildLogAsync(database, Path.Combine(root, "log-plain"), logCommits, checkpointInterval: int.MaxValue, cancellationToken).ConfigureAwait(false);
        var with = await BuildLogAsync(database, Path.Combine(root, "log-checkpointed"), logCommits, checkpointInterval: 10, cancellationToken).ConfigureAwait(false);
        var plainTime = await ColdLoadAsync(database, without, cancellationToken).ConfigureAwait(false);
        var checkpointTime = await ColdLoadAsync(database, with, cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"  without checkpoints  {plainTime.TotalMilliseconds,9:F1} ms (median of 5 cold loads)");
        Console.WriteLine($"  with checkpoints/10  {checkpointTime.TotalMilliseconds,9:F1} ms (median of 5 cold loads)");
        Console.WriteLine($"  speed-up             {plainTime / checkpointTime,9:F1}x");
    }

    private static async Task<string> BuildLogAsync(DuckDBConnection database, string path, int commits, int checkpointInterval, CancellationToken cancellationToken)
    {
        var options = new DeltaTableOptions { Log = new DeltaLogOptions { CheckpointInterval = checkpointInterval } };
        var store = new LocalDeltaLogStore(path);
        var table = DeltaTable.Open(store, database, options: options);
        var schema = new DeltaSchema([new DeltaField("id", DeltaType.Long)]);
        var snapshot = await table.CreateAsync(schema, [], null, cancellationToken).ConfigureAwait(false);
        var writer = new DeltaLogWriter(table.Log, table.Checkpoints, TimeProvider.System, options.Log);
        for (var i = 1; i <= commits; i++)
        {
            // log-only adds: the benchmark measures replay, not Parquet
            var transaction = new DeltaTransaction(snapshot, "WRITE").Add(new AddAction(
                $"part-{i:D5}.parquet", new Dictionary<string, string?>(), 1000, i, true, "{\"numRecords\":10,\"minValues\":{\"id\":0},\"maxValues\":{\"id\":9},\"nullCount\":{\"id\":0}}"));
            await writer.CommitAsync(transaction, cancellationToken).ConfigureAwait(false);
            snapshot = await table.GetSnapshotAsync(null, cancellationToken).ConfigureAwait(false);
        }
        return path;
    }

    private static async Task<TimeSpan> ColdLoadAsync(DuckDBConnection database, string path, CancellationToken cancellationToken)
    {
        var times = new List<TimeSpan>();
        for (var i = 0; i < 5; i++)
        {
            var table = DeltaTable.Open(new LocalDeltaLogStore(path), database);
            var watch = Stopwatch.StartNew();
            var snapshot = await table.GetSnapshotAsync(null, cancellationToken).ConfigureAwait(false);
            watch.Stop();
            if (snapshot.NumRecordsFromStats is null)
            {
                throw new InvalidOperationException("stats lost in replay");
            }
            times.Add(watch.Elapsed);
        }
        return times.Order().ElementAt(times.Count / 2);
    }
}
