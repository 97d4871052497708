using System.Globalization;
using Azure.Storage.Blobs;
using RetailEdge.Delta.Actions;
using RetailEdge.Delta.AzureBlob;
using RetailEdge.Delta.Storage;
using DuckDB.NET.Data;
using RetailEdge.Testing;

namespace RetailEdge.Delta.Tests;

public sealed class ConcurrencyTests : IDisposable
{
    private const int Writers = 4;
    private const int BatchesPerWriter = 4;
    private const int RowsPerBatch = 5;

    private static readonly DeltaSchema Schema = new(
    [
        new DeltaField("writer", DeltaType.Integer),
        new DeltaField("batch", DeltaType.Integer),
        new DeltaField("n", DeltaType.Integer),
    ]);

    private readonly TempDirectory _directory = new("delta-concurrency");
    private readonly DuckDBConnection _database = DuckDbConnectionExtensions.OpenInMemory();

    public void Dispose()
    {
        _database.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task Append_FourWritersOnLocalFolder_EveryRowOnceAndContiguousVersions()
    {
        var path = _directory.Combine("t");
        await TestTables.Open(path, _database).CreateAsync(Schema, ["writer"], null, CancellationToken.None);

        await RunWritersAsync(() => new LocalDeltaLogStore(path));

        await AssertEveryRowOnceAsync(new LocalDeltaLogStore(path));
    }

    [Fact]
    public async Task Append_FourWritersOnAzurite_EveryRowOnceAndContiguousVersions()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var container = new BlobContainerClient(azurite.ConnectionString, "lake");
        await container.CreateIfNotExistsAsync();
        var options = new DeltaTableOptions { ScratchDirectory = _directory.Path };
        await DeltaTable.Open(new BlobDeltaLogStore(container, "silver/t"), _database, options: options)
            .CreateAsync(Schema, ["writer"], null, CancellationToken.None);

        await RunWritersAsync(() => new BlobDeltaLogStore(container, "silver/t"), options);

        await AssertEveryRowOnceAsync(new BlobDeltaLogStore(container, "silver/t"), options);
        // a lost put-if-absent really is a 409 on the emulator, not an overwrite
        Assert.False(await new BlobDeltaLogStore(container, "silver/t").TryCreateAsync("_delta_log/" + DeltaLogFile.CommitName(0), new byte[] { 1 }, CancellationToken.None));
    }

    [Fact]
    public async Task Append_SameTxnFromTwoWritersAtOnce_CommitsOnce()
    {
        var path = _directory.Combine("t");
        await TestTables.Open(path, _database).CreateAsync(Schema, [], null, CancellationToken.None);
        var batch = new DeltaWriteOptions { AppId = "lander", AppVersion = 1 };

        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
        {
            using var connection = _database.Connect();
            var table = TestTables.Open(path, _database);
            return await table.WriteAsync(connection, "SELECT 1 AS writer, 1 AS batch, range AS n FROM range(3)", batch, CancellationToken.None);
        })));

        Assert.Single(results, r => !r.Skipped);
        using var reader = TestTables.Connect(_database);
        var table = TestTables.Open(path, _database);
        Assert.Equal(3, (await TestTables.ReadRowsAsync(table, reader)).Count);
        Assert.Single(Directory.GetFiles(path, "*.parquet", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Commit_OverwriteAfterConcurrentAppend_ThrowsConflict()
    {
        var path = _directory.Combine("t");
        var table = TestTables.Open(path, _database);
        await table.CreateAsync(Schema, [], null, CancellationToken.None);
        var snapshot = await table.GetSnapshotAsync(null, CancellationToken.None);
        var log = new DeltaLogWriter(table.Log, null, TimeProvider.System);
        var append = new DeltaTransaction(snapshot, "WRITE").Add(FakeAdd("a.parquet"));
        var overwrite = new DeltaTransaction(snapshot, "WRITE") { ReadsWholeTable = true }.Add(FakeAdd("b.parquet"));
        var blind = new DeltaTransaction(snapshot, "WRITE").Add(FakeAdd("c.parquet"));

        var appended = await log.CommitAsync(append, CancellationToken.None);
        var error = await Assert.ThrowsAsync<DeltaConflictException>(() => log.CommitAsync(overwrite, CancellationToken.None));
        var retried = await log.CommitAsync(blind, CancellationToken.None);

        Assert.Equal(1, appended.Version);
        Assert.Equal(1, error.WinningVersion);
        Assert.Equal(2, retried.Version);
        Assert.Equal(2, retried.Attempts);
    }

    private static AddAction FakeAdd(string path) => new(path, new Dictionary<string, string?>(), 1, 1, true);

    private async Task RunWritersAsync(Func<IDeltaLogStore> store, DeltaTableOptions? options = null)
    {
        using var start = new SemaphoreSlim(0, Writers);
        var tasks = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            using var connection = _database.Connect();
            var table = DeltaTable.Open(store(), _database, options: options);
            await start.WaitAsync();
            for (var b = 0; b < BatchesPerWriter; b++)
            {
                var result = await table.WriteAsync(connection,
                    $"SELECT {w} AS writer, {b} AS batch, range AS n FROM range({RowsPerBatch})",
                    new DeltaWriteOptions { AppId = "writer-" + w.ToString(CultureInfo.InvariantCulture), AppVersion = b },
                    CancellationToken.None);
                Assert.False(result.Skipped);
            }
        })).ToList();
        start.Release(Writers);
        await Task.WhenAll(tasks);
    }

    private async Task AssertEveryRowOnceAsync(IDeltaLogStore store, DeltaTableOptions? options = null)
    {
        var table = DeltaTable.Open(store, _database, options: options);
        var snapshot = await table.GetSnapshotAsync(null, CancellationToken.None);
        Assert.Equal(Writers * BatchesPerWriter, snapshot.Version);
        var commits = (await table.Log.ListLogAsync(CancellationToken.None))
            .Where(f => f.Kind == DeltaLogFileKind.Commit).Select(f => f.Version).Order().ToList();
        Assert.Equal(Enumerable.Range(0, (Writers * BatchesPerWriter) + 1).Select(v => (long)v), commits);
        using var connection = TestTables.Connect(_database);
        var rows = await TestTables.ReadRowsAsync(table, connection);
        Assert.Equal(Writers * BatchesPerWriter * RowsPerBatch, rows.Count);
        Assert.Equal(rows.Count, rows.Select(r => string.Join("|", r)).Distinct().Count());
        for (var w = 0; w < Writers; w++)
        {
            Assert.Equal(BatchesPerWriter - 1, snapshot.TransactionVersion("writer-" + w.ToString(CultureInfo.InvariantCulture)));
        }
    }
}
