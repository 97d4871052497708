using DuckDB.NET.Data;
using RetailEdge.Delta.Actions;
using RetailEdge.Delta.Storage;
using RetailEdge.Testing;

namespace RetailEdge.Delta.Tests;

/// <summary>
/// A query that names a store, a date or an item range opens only the data files whose partition
/// value or min/max statistics allow a matching row, and still gets every matching row.
/// </summary>
public sealed class FileSkippingTests() : InMemoryDuckDbTest("delta-skipping")
{
    private static readonly string[] Dates = ["2026-11-02", "2026-11-03", "2026-11-04"];

    [Theory]
    [InlineData("store", 3)]
    [InlineData("date", 3)]
    [InlineData("item range", 1)]
    [InlineData("item range across stores", 6)]
    [InlineData("none", 9)]
    public async Task BuildSelect_QueryNamesStoreDateOrItems_OpensOnlyFilesThatCanMatch(string query, int expectedOpened)
    {
        var (table, store) = await NineFileTableAsync();
        (IReadOnlyList<DeltaFileFilter> Filters, string Where) shape = query switch
        {
            "store" => ([DeltaFileFilter.In("store_id", ["2"])], "store_id = 2"),
            "date" => ([DeltaFileFilter.In("event_date", ["2026-11-03"])], "event_date = DATE '2026-11-03'"),
            "item range" => ([DeltaFileFilter.Between("item_id", "100", "105"), DeltaFileFilter.In("event_date", ["2026-11-04"])],
                "item_id BETWEEN 100 AND 105 AND event_date = DATE '2026-11-04'"),
            "item range across stores" => ([DeltaFileFilter.Between("item_id", "205", "301")], "item_id BETWEEN 205 AND 301"),
            _ => ([], "true"),
        };
        var snapshot = await table.GetSnapshotAsync(null, CancellationToken.None);

        var skipping = await table.BuildSelectAsync(Connection, snapshot, CancellationToken.None, shape.Filters);

        Assert.Equal(expectedOpened, store.DataFilesOpened);
        var everything = await table.BuildSelectAsync(Connection, snapshot, CancellationToken.None);
        var expected = Connection.Scalar<long>($"SELECT count(*) FROM ({everything}) WHERE {shape.Where}");
        Assert.True(expected > 0);
        Assert.Equal(expected, Connection.Scalar<long>($"SELECT count(*) FROM ({skipping}) WHERE {shape.Where}"));
        Assert.Equal(0L, Connection.Scalar<long>(
            $"SELECT count(*) FROM (SELECT * FROM ({everything}) WHERE {shape.Where} EXCEPT ALL SELECT * FROM ({skipping}) WHERE {shape.Where})"));
    }

    [Fact]
    public void MayMatch_NoStatsOrNoBounds_KeepsTheFile()
    {
        var schema = Schema();
        var noStats = new AddAction("a.parquet", new Dictionary<string, string?>(), 1, 0, true);
        var noBounds = File("""{"numRecords":5,"minValues":{},"maxValues":{},"nullCount":{"item_id":0}}""");
        var filter = DeltaFileFilter.In("item_id", ["7"]);
        Assert.True(filter.MayMatch(noStats, schema, []));
        Assert.True(filter.MayMatch(noBounds, schema, []));
    }

    [Fact]
    public void MayMatch_AllNullOrEmptyFile_IsSkipped()
    {
        var schema = Schema();
        var allNull = File("""{"numRecords":5,"minValues":{},"maxValues":{},"nullCount":{"item_id":5}}""");
        var empty = File("""{"numRecords":0,"minValues":{},"maxValues":{},"nullCount":{}}""");
        Assert.False(DeltaFileFilter.Between("item_id", null, null).MayMatch(allNull, schema, []));
        Assert.False(DeltaFileFilter.In("item_id", ["1"]).MayMatch(empty, schema, []));
    }

    [Fact]
    public void MayMatch_NumericPartitionValues_CompareAsNumbersAndNullMatchesNothing()
    {
        var schema = Schema();
        var ten = new AddAction("store_id=10/a.parquet", new Dictionary<string, string?> { ["store_id"] = "10" }, 1, 0, true);
        var none = new AddAction("store_id=__HIVE_DEFAULT_PARTITION__/a.parquet", new Dictionary<string, string?> { ["store_id"] = null }, 1, 0, true);
        Assert.True(DeltaFileFilter.Between("store_id", "9", "11").MayMatch(ten, schema, ["store_id"]));
        Assert.False(DeltaFileFilter.Between("store_id", "2", "9").MayMatch(ten, schema, ["store_id"]));
        Assert.False(DeltaFileFilter.Between("store_id", null, null).MayMatch(none, schema, ["store_id"]));
    }

    [Fact]
    public void MayMatch_TruncatedStringMax_StillCoversLongerValues()
    {
        var schema = Schema();
        var prefix = new string('s', DeltaFileStats.StringPrefixLength);
        var file = File($$$"""{"numRecords":2,"minValues":{"sku":"{{{prefix}}}"},"maxValues":{"sku":"{{{prefix}}}\uffff"},"nullCount":{"sku":0}}""");
        Assert.True(DeltaFileFilter.In("sku", [prefix + "zzz"]).MayMatch(file, schema, []));
        Assert.False(DeltaFileFilter.In("sku", ["t"]).MayMatch(file, schema, []));
    }

    private static DeltaSchema Schema() => DeltaSchema.Parse("""
        {"type":"struct","fields":[
          {"name":"store_id","type":"integer","nullable":true,"metadata":{}},
          {"name":"item_id","type":"long","nullable":true,"metadata":{}},
          {"name":"sku","type":"string","nullable":true,"metadata":{}}]}
        """);

    private static AddAction File(string stats) => new("a.parquet", new Dictionary<string, string?>(), 1, 0, true, stats);

    /// <summary>3 dates × 3 stores, one file each; store s sells items s×100 … s×100+9.</summary>
    private async Task<(DeltaTable Table, CountingStore Store)> NineFileTableAsync()
    {
        var store = new CountingStore(new LocalDeltaLogStore(Scratch.Combine("table")));
        var table = DeltaTable.Open(store, Database, options: DeltaTableOptions.Default with { ScratchDirectory = Scratch.Combine("scratch") });
        var schema = DeltaSchema.Parse("""
            {"type":"struct","fields":[
              {"name":"event_date","type":"date","nullable":false,"metadata":{}},
              {"name":"store_id","type":"integer","nullable":false,"metadata":{}},
              {"name":"item_id","type":"long","nullable":false,"metadata":{}},
              {"name":"qty","type":"integer","nullable":true,"metadata":{}}]}
            """);
        await table.CreateAsync(schema, ["event_date"], null, CancellationToken.None);
        foreach (var date in Dates)
        {
            for (var s = 1; s <= 3; s++)
            {
                await table.WriteAsync(Connection,
                    $"SELECT DATE '{date}' AS event_date, {s} AS store_id, {s * 100} + range % 10 AS item_id, CAST(range AS INTEGER) AS qty FROM range(50)",
                    null, CancellationToken.None);
            }
        }
        store.DataFilesOpened = 0;
        return (table, store);
    }

    /// <summary>The local table seen as a remote store: data files are downloaded (opened) one by one, and counted.</summary>
    private sealed class CountingStore(LocalDeltaLogStore inner) : IDeltaLogStore
    {
        public int DataFilesOpened { get; set; }

        public string Location => inner.Location + "#remote";

        public string? LocalRoot => null;

        public Task<IReadOnlyList<LogStoreEntry>> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken) => inner.ReadAsync(path, cancellationToken);

        public Task<bool> TryCreateAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => inner.TryCreateAsync(path, content, cancellationToken);

        public Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => inner.WriteAsync(path, content, cancellationToken);

        public Task UploadAsync(string localFile, string path, CancellationToken cancellationToken) => inner.UploadAsync(localFile, path, cancellationToken);

        public Task<bool> DownloadAsync(string path, string localFile, CancellationToken cancellationToken)
        {
            if (!path.StartsWith(DeltaLogFile.LogFolder, StringComparison.Ordinal))
            {
                DataFilesOpened++;
            }
            return inner.DownloadAsync(path, localFile, cancellationToken);
        }

        public Task DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);
    }
}
