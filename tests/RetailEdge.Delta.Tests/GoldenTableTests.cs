using RetailEdge.Delta.Storage;
using DuckDB.NET.Data;

namespace RetailEdge.Delta.Tests;

/// <summary>
/// Reader conformance against tables written by Spark (TestData/delta-golden, see its README for
/// where they come from and what each must give).
/// </summary>
public sealed class GoldenTableTests : IDisposable
{
    private readonly DuckDBConnection _database = DuckDbConnectionExtensions.OpenInMemory();
    private readonly DuckDBConnection _connection;

    public GoldenTableTests()
    {
        _connection = TestTables.Connect(_database);
    }

    public void Dispose()
    {
        _connection.Dispose();
        _database.Dispose();
    }

    [Theory]
    [InlineData("snapshot-data0", 10, "data-0-")]
    [InlineData("snapshot-data1", 20, "data-")]
    [InlineData("snapshot-data2", 10, "data-2-")]
    [InlineData("snapshot-data3", 30, "data-")]
    [InlineData("snapshot-data2-deleted", 20, "data-3-")]
    [InlineData("snapshot-repartitioned", 20, "data-3-")]
    [InlineData("snapshot-vacuumed", 20, "data-3-")]
    public async Task Read_SnapshotTables_GiveDocumentedRows(string name, int expectedRows, string col2Prefix)
    {
        var table = TestTables.Open(TestTables.Golden(name), _database);

        var rows = await TestTables.ReadRowsAsync(table, _connection);

        Assert.Equal(expectedRows, rows.Count);
        Assert.All(rows, r => Assert.StartsWith(col2Prefix, r[1], StringComparison.Ordinal));
        Assert.All(rows, r => Assert.EndsWith("-" + r[0], r[1], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_SnapshotData2Deleted_KeepsOnlyData3Rows()
    {
        var rows = await TestTables.ReadRowsAsync(TestTables.Open(TestTables.Golden("snapshot-data2-deleted"), _database), _connection);

        Assert.Equal(20, rows.Count(r => r[1].StartsWith("data-3-", StringComparison.Ordinal)));
        Assert.DoesNotContain(rows, r => r[1].StartsWith("data-2-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Load_CheckpointTable_UsesCheckpointAndKeepsTombstones()
    {
        // a long retention keeps the 2016-era tombstones visible
        var options = new Storage.DeltaTableOptions { Log = new DeltaLogOptions { DeletedFileRetention = TimeSpan.FromDays(365 * 100) } };
        var table = TestTables.Open(TestTables.Golden("checkpoint"), _database, options: options);

        var snapshot = await table.GetSnapshotAsync(null, CancellationToken.None);

        Assert.Equal(14, snapshot.Version);
        var file = Assert.Single(snapshot.Files);
        Assert.Equal("15", file.Path);
        Assert.Equal(14, snapshot.Tombstones.Count);
    }

    [Fact]
    public async Task Load_CheckpointTableWithDefaultRetention_DropsExpiredTombstones()
    {
        var snapshot = await TestTables.Open(TestTables.Golden("checkpoint"), _database).GetSnapshotAsync(null, CancellationToken.None);

        Assert.Empty(snapshot.Tombstones);
        Assert.Single(snapshot.Files);
    }

    [Fact]
    public async Task Load_UpdateDeletedDirectory_ReadsTenFilesFromCheckpointAtVersionZero()
    {
        var snapshot = await TestTables.Open(TestTables.Golden("update-deleted-directory"), _database).GetSnapshotAsync(null, CancellationToken.None);

        Assert.Equal(10, snapshot.Files.Count);
    }

    [Fact]
    public async Task Read_BasicWithInsertsUpdates_GivesUpdatedRows()
    {
        var rows = await TestTables.ReadRowsAsync(TestTables.Open(TestTables.Golden("basic-with-inserts-updates"), _database), _connection);

        Assert.Equal(100, rows.Count);
        Assert.Equal(50, rows.Count(r => r[1] == "N/A"));
        Assert.All(rows.Where(r => int.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture) >= 50), r => Assert.Equal("val=" + r[0], r[1]));
    }

    [Fact]
    public async Task Read_BasicWithInsertsMerge_GivesMergedRows()
    {
        var rows = await TestTables.ReadRowsAsync(TestTables.Open(TestTables.Golden("basic-with-inserts-merge"), _database), _connection);
        var byId = rows.ToDictionary(r => int.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture), r => r[1]);

        Assert.Equal(140, rows.Count);
        Assert.DoesNotContain(5, byId.Keys);
        Assert.Equal("val=20", byId[20]);
        Assert.Equal("N/A", byId[70]);
        Assert.Equal("EXT", byId[120]);
    }

    [Fact]
    public async Task Read_DataReaderPrimitives_GivesNullRowAndTenRows()
    {
        var rows = await TestTables.ReadRowsAsync(TestTables.Open(TestTables.Golden("data-reader-primitives"), _database), _connection);

        Assert.Equal(11, rows.Count);
        Assert.Single(rows, r => r.All(v => v == "NULL"));
        Assert.Contains(rows, r => r[0] == "7" && r[1] == "7" && r[7] == "7");
    }

    [Fact]
    public async Task Read_DataReaderPartitionValues_TakesTypedValuesFromTheLog()
    {
        var table = TestTables.Open(TestTables.Golden("data-reader-partition-values"), _database);
        var snapshot = await table.GetSnapshotAsync(null, CancellationToken.None);
        var select = await table.BuildSelectAsync(_connection, snapshot, CancellationToken.None);

        using var result = _connection.Query(
            $"SELECT as_int, as_date, CAST(as_timestamp AS VARCHAR), as_string_lit_null, as_boolean, CAST(as_big_decimal AS VARCHAR) FROM ({select}) ORDER BY as_int NULLS FIRST");
        var rows = new List<object?[]>();
        while (result.Read())
        {
            rows.Add([.. Enumerable.Range(0, 6).Select(i => result.IsDBNull(i) ? null : result.GetValue(i))]);
        }

        Assert.Equal(3, rows.Count);
        Assert.All(rows[0], Assert.Null);
        Assert.Equal(0, rows[1][0]);
        Assert.Equal(new DateOnly(2021, 9, 8), rows[1][1]);
        Assert.Equal("2021-09-08 11:11:11+00", rows[1][2]);
        Assert.Equal("null", rows[1][3]);
        Assert.Equal(true, rows[1][4]);
        Assert.Equal(false, rows[2][4]);
        Assert.Equal("1", rows[2][5]);
    }

    [Theory]
    [InlineData("data-reader-nested-struct", 10)]
    [InlineData("data-reader-array-primitives", 10)]
    [InlineData("data-reader-map", 10)]
    [InlineData("time-travel-start", 10)]
    [InlineData("time-travel-start-start20", 20)]
    [InlineData("time-travel-schema-changes-a", 10)]
    [InlineData("time-travel-schema-changes-b", 20)]
    [InlineData("time-travel-partition-changes-a", 10)]
    [InlineData("time-travel-partition-changes-b", 10)]
    [InlineData("kernel-timestamp-INT96", 5)]
    [InlineData("kernel-timestamp-TIMESTAMP_MILLIS", 5)]
    [InlineData("kernel-timestamp-partition-col-ISO8601", 2)]
    [InlineData("only-checkpoint-files", 25)]
    [InlineData("data-skipping-basic-stats-all-types", 1)]
    [InlineData("data-skipping-basic-stats-all-types-checkpoint", 1)]
    [InlineData("data-skipping-partition-and-data-column", 4)]
    [InlineData("data-skipping-change-stats-collected-across-versions", 3)]
    [InlineData("commit-info-containing-arbitrary-operationParams-types", 2)]
    [InlineData("log-replay-latest-metadata-protocol", 40)]
    public async Task Read_ReadableTables_GiveRowCounts(string name, int expectedRows)
    {
        var table = TestTables.Open(TestTables.Golden(name), _database);

        var rows = await TestTables.ReadRowsAsync(table, _connection);
        var snapshot = await table.GetSnapshotAsync(null, CancellationToken.None);

        Assert.Equal(expectedRows, rows.Count);
        if (snapshot.NumRecordsFromStats is { } fromStats)
        {
            Assert.Equal(fromStats, rows.Count);
        }
    }

    [Fact]
    public async Task Read_TimeTravelSchemaChanges_OldVersionHasOldSchema()
    {
        var table = TestTables.Open(TestTables.Golden("time-travel-schema-changes-b"), _database);

        var v0 = await table.GetSnapshotAsync(0, CancellationToken.None);
        var v1 = await table.GetSnapshotAsync(1, CancellationToken.None);
        var rows = await TestTables.ReadRowsAsync(table, _connection, 1);

        Assert.Equal(["id"], v0.Schema.Fields.Select(f => f.Name));
        Assert.Equal(["id", "part"], v1.Schema.Fields.Select(f => f.Name));
        Assert.Equal(10, rows.Count(r => r[1] == "NULL"));
        Assert.All(rows.Where(r => r[1] != "NULL"), r => Assert.Equal(r[0], r[1]));
    }

    [Fact]
    public async Task Read_TimeTravelPartitionChanges_EachVersionHasItsPartitioning()
    {
        var table = TestTables.Open(TestTables.Golden("time-travel-partition-changes-b"), _database);

        var v0 = await table.GetSnapshotAsync(0, CancellationToken.None);
        var v1Rows = await TestTables.ReadRowsAsync(table, _connection, 1);
        var v0Rows = await TestTables.ReadRowsAsync(table, _connection, 0);

        Assert.Equal(["part5"], v0.PartitionColumns);
        Assert.All(v0Rows, r => Assert.Equal((long.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture) % 5).ToString(System.Globalization.CultureInfo.InvariantCulture), r[1]));
        Assert.All(v1Rows, r => Assert.Equal((long.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture) % 2).ToString(System.Globalization.CultureInfo.InvariantCulture), r[1]));
    }

    [Fact]
    public async Task Read_TimestampPhysicalTypes_GiveTheSameInstants()
    {
        var int96 = await TestTables.ReadRowsAsync(TestTables.Open(TestTables.Golden("kernel-timestamp-INT96"), _database), _connection);
        var millis = await TestTables.ReadRowsAsync(TestTables.Open(TestTables.Golden("kernel-timestamp-TIMESTAMP_MILLIS"), _database), _connection);

        Assert.Equal(millis.Select(r => string.Join("|", r)), int96.Select(r => string.Join("|", r)));
    }

    [Theory]
    [InlineData("log-replay-special-characters-a")]
    [InlineData("canonicalized-paths-normal-a")]
    public async Task Load_AddThenRemoveWithDifferentSpelling_ReconcilesToNoFiles(string name)
    {
        var snapshot = await TestTables.Open(TestTables.Golden(name), _database).GetSnapshotAsync(null, CancellationToken.None);

        Assert.Equal(1, snapshot.Version);
        Assert.Empty(snapshot.Files);
    }

    [Fact]
    public async Task Load_DeltaLogGetChanges_TracksTxnAndRemove()
    {
        var snapshot = await TestTables.Open(TestTables.Golden("deltalog-getChanges"), _database).GetSnapshotAsync(null, CancellationToken.None);

        Assert.Empty(snapshot.Files);
        Assert.Equal(3, snapshot.TransactionVersion("fakeAppId"));
    }

    [Fact]
    public async Task History_DeltaLogCommitInfo_ExposesCommitInfoFields()
    {
        var history = await TestTables.Open(TestTables.Golden("deltalog-commit-info"), _database).HistoryAsync(null, CancellationToken.None);

        var (version, info) = Assert.Single(history);
        Assert.Equal(0, version);
        Assert.NotNull(info);
        Assert.NotNull(info.Operation);
        Assert.NotNull(info.Timestamp);
    }

    [Fact]
    public async Task Load_LatestMetadataProtocol_ReadsReaderThreeWithoutFeatures()
    {
        var snapshot = await TestTables.Open(TestTables.Golden("log-replay-latest-metadata-protocol"), _database).GetSnapshotAsync(null, CancellationToken.None);

        Assert.Equal(3, snapshot.Protocol.MinReaderVersion);
        Assert.Equal(["col1", "col2"], snapshot.Schema.Fields.Select(f => f.Name));
    }

    [Theory]
    [InlineData("deltalog-invalid-protocol-version", "readerVersion")]
    [InlineData("log-replay-dv-key-cases", "deletionVectors")]
    [InlineData("table-with-columnmapping-mode-name", "columnMapping")]
    [InlineData("v2-checkpoint-json", "v2Checkpoint")]
    public async Task Load_UnsupportedFeature_ThrowsNamingTheFeature(string name, string feature)
    {
        var table = TestTables.Open(TestTables.Golden(name), _database);

        var error = await Assert.ThrowsAsync<DeltaUnsupportedFeatureException>(() => table.GetSnapshotAsync(null, CancellationToken.None));

        Assert.Equal(feature, error.Feature);
        Assert.Contains(feature, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("versions-not-contiguous", "not contiguous")]
    [InlineData("deltalog-state-reconstruction-without-metadata", "no metaData")]
    [InlineData("deltalog-state-reconstruction-without-protocol", "no protocol")]
    [InlineData("deltalog-state-reconstruction-from-checkpoint-missing-metadata", "no metaData")]
    public async Task Load_BrokenLog_ThrowsDeltaException(string name, string message)
    {
        var table = TestTables.Open(TestTables.Golden(name), _database);

        var error = await Assert.ThrowsAsync<DeltaException>(() => table.GetSnapshotAsync(null, CancellationToken.None));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GoldenCopy_KeepsAttributionReadme()
    {
        var readme = File.ReadAllText(TestTables.Golden("README.md"));

        Assert.Contains("Apache License 2.0", readme, StringComparison.Ordinal);
    }
}
