using System.Globalization;
using System.Text.Json.Nodes;
using RetailEdge.Delta.Actions;
using RetailEdge.Delta.Storage;
using DuckDB.NET.Data;
using RetailEdge.Testing;

namespace RetailEdge.Delta.Tests;

public sealed class DeltaTableTests : IDisposable
{
    private static readonly DeltaSchema SalesSchema = new(
    [
        new DeltaField("id", DeltaType.Long, Nullable: false),
        new DeltaField("store", DeltaType.String),
        new DeltaField("amount", DeltaType.Decimal(18, 2)),
        new DeltaField("note", DeltaType.String),
        new DeltaField("ts", DeltaType.Timestamp),
        new DeltaField("day", DeltaType.Date),
    ]);

    private readonly TempDirectory _directory = new("delta-table");
    private readonly DuckDBConnection _database = DuckDbConnectionExtensions.OpenInMemory();
    private readonly DuckDBConnection _connection;
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);

    public DeltaTableTests()
    {
        _connection = TestTables.Connect(_database);
    }

    public void Dispose()
    {
        _connection.Dispose();
        _database.Dispose();
        _directory.Dispose();
    }

    private DeltaTable NewTable(string name = "t", DeltaTableOptions? options = null) =>
        TestTables.Open(_directory.Combine(name), _database, _time, options);

    private static string Rows(long from, long count, string storeExpression = "'S' || (range % 3)") =>
        $"SELECT range AS id, {storeExpression} AS store, CAST(range AS DECIMAL(18,2)) / 4 AS amount, "
        + "CASE WHEN range % 5 = 0 THEN NULL ELSE 'note ' || range END AS note, "
        + "TIMESTAMPTZ '2024-03-01 10:00:00+00' + to_seconds(range) AS ts, DATE '2024-03-01' + CAST(range % 2 AS INTEGER) AS day "
        + $"FROM range({from}, {from + count})";

    [Fact]
    public async Task Write_PartitionedAppend_RoundTripsThroughReaderAndReadParquet()
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, ["store"], null, CancellationToken.None);

        // partition values with characters Hive must escape, and a null partition
        var result = await table.WriteAsync(_connection,
            Rows(0, 30, "CASE range % 3 WHEN 0 THEN 'a/b:c' WHEN 1 THEN 'plain' ELSE NULL END"), null, CancellationToken.None);

        Assert.Equal(1, result.Version);
        Assert.Equal(30, result.RowsWritten);
        Assert.Equal(3, result.AddedFiles.Count);
        var snapshot = await table.GetSnapshotAsync(null, CancellationToken.None);
        Assert.Contains(snapshot.Files, f => f.Path.StartsWith("store=a%252Fb%253Ac/", StringComparison.Ordinal));
        Assert.Contains(snapshot.Files, f => f.Path.StartsWith("store=__HIVE_DEFAULT_PARTITION__/", StringComparison.Ordinal) && f.PartitionValues["store"] is null);
        Assert.True(Directory.Exists(_directory.Combine("t", "store=a%2Fb%3Ac")));
        var rows = await TestTables.ReadRowsAsync(table, _connection);
        Assert.Equal(30, rows.Count);
        Assert.Equal(10, rows.Count(r => r[1] == "a/b:c"));
        Assert.Equal(10, rows.Count(r => r[1] == "NULL"));
        // the data files alone, read by DuckDB without our reader
        var files = string.Join(", ", snapshot.Files.Select(f => "'" + Path.Combine(_directory.Combine("t"), DeltaPath.Decode(f.Path)) + "'"));
        Assert.Equal(30L, _connection.Scalar<long>($"SELECT count(*) FROM read_parquet([{files}])"));
        Assert.Equal(Enumerable.Range(0, 30).Sum(), _connection.Scalar<long>($"SELECT sum(id) FROM read_parquet([{files}])"));
        Assert.Equal(snapshot.NumRecordsFromStats, 30);
    }

    [Fact]
    public async Task Write_QueryWithCommentsOrARelationName_EachIsOneSource()
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, ["store"], null, CancellationToken.None);
        _connection.Execute($"CREATE TEMP TABLE staged AS {Rows(20, 5)}");

        var commented = await table.WriteAsync(_connection, "-- the first ten\n" + Rows(0, 10), null, CancellationToken.None);
        var trailing = await table.WriteAsync(_connection, Rows(10, 10) + " -- the next ten", null, CancellationToken.None);
        var relation = await table.WriteAsync(_connection, "staged", null, CancellationToken.None);

        Assert.Equal([10L, 10L, 5L], [commented.RowsWritten, trailing.RowsWritten, relation.RowsWritten]);
        Assert.Equal(25, (await TestTables.ReadRowsAsync(table, _connection)).Count);
    }

    [Fact]
    public async Task Write_Stats_MatchTheDataInEachFile()
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, ["day"], null, CancellationToken.None);
        await table.WriteAsync(_connection, Rows(0, 50), null, CancellationToken.None);
        var snapshot = await table.GetSnapshotAsync(null, CancellationToken.None);

        Assert.Equal(2, snapshot.Files.Count);
        foreach (var file in snapshot.Files)
        {
            var stats = file.ParsedStats!;
            var path = "'" + Path.Combine(_directory.Combine("t"), DeltaPath.Decode(file.Path)) + "'";
            using var result = _connection.Query(
                $"SELECT count(*), min(id), max(id), count(*) - count(note), CAST(min(amount) AS VARCHAR), CAST(max(amount) AS VARCHAR), "
                + $"strftime(min(ts), '%Y-%m-%dT%H:%M:%S.%gZ'), strftime(max(ts), '%Y-%m-%dT%H:%M:%S.%gZ'), min(store), max(store) FROM read_parquet({path})");
            Assert.True(result.Read());
            Assert.Equal(result.GetInt64(0), stats.NumRecords);
            Assert.Equal(result.GetInt64(1), (long)stats.MinValues["id"]!);
            Assert.Equal(result.GetInt64(2), (long)stats.MaxValues["id"]!);
            Assert.Equal(result.GetInt64(3), (long)stats.NullCount["note"]!);
            Assert.Equal(0L, (long)stats.NullCount["id"]!);
            Assert.Equal(decimal.Parse(result.GetString(4), CultureInfo.InvariantCulture), (decimal)stats.MinValues["amount"]!);
            Assert.Equal(decimal.Parse(result.GetString(5), CultureInfo.InvariantCulture), (decimal)stats.MaxValues["amount"]!);
            Assert.Equal(result.GetString(6), (string)stats.MinValues["ts"]!);
            Assert.Equal(result.GetString(7), (string)stats.MaxValues["ts"]!);
            Assert.Equal(result.GetString(8), (string)stats.MinValues["store"]!);
            Assert.Equal(result.GetString(9), (string)stats.MaxValues["store"]!);
            Assert.False(stats.MinValues.ContainsKey("day")); // partition columns carry no stats
        }
    }

    [Fact]
    public async Task Write_LongStrings_StatsTruncatedTo32Characters()
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, [], null, CancellationToken.None);
        await table.WriteAsync(_connection, Rows(0, 3, "repeat('x', 40) || range"), null, CancellationToken.None);

        var stats = (await table.GetSnapshotAsync(null, CancellationToken.None)).Files.Single().ParsedStats!;

        Assert.Equal(new string('x', 32), (string)stats.MinValues["store"]!);
        var max = (string)stats.MaxValues["store"]!;
        Assert.Equal(33, max.Length);
        Assert.True(string.CompareOrdinal(max, new string('x', 40) + "2") > 0, "truncated max must still bound the values");
    }

    [Fact]
    public async Task Write_Overwrite_ReplacesAllRowsAndKeepsOldVersionReadable()
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, ["store"], null, CancellationToken.None);
        await table.WriteAsync(_connection, Rows(0, 30), null, CancellationToken.None);

        var result = await table.WriteAsync(_connection, Rows(100, 5), new DeltaWriteOptions { Mode = DeltaWriteMode.Overwrite }, CancellationToken.None);

        Assert.Equal(3, result.RemovedFiles);
        var rows = await TestTables.ReadRowsAsync(table, _connection);
        Assert.Equal(["100", "101", "102", "103", "104"], rows.Select(r => r[0]).Order(StringComparer.Ordinal));
        Assert.Equal(30, (await TestTables.ReadRowsAsync(table, _connection, 1)).Count);
        var removes = (await table.Log.ReadCommitAsync(2, CancellationToken.None)).OfType<RemoveAction>().ToList();
        Assert.Equal(3, removes.Count);
        Assert.All(removes, r => Assert.True(r.DataChange));
    }

    [Fact]
    public async Task Write_OverwritePartitions_ReplacesOnlyWrittenPartitions()
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, ["store"], null, CancellationToken.None);
        await table.WriteAsync(_connection, Rows(0, 30), null, CancellationToken.None);

        // dynamic: only partition S1 appears in the new rows
        await table.WriteAsync(_connection, Rows(1000, 2, "'S1'"), new DeltaWriteOptions { Mode = DeltaWriteMode.OverwritePartitions }, CancellationToken.None);
        var rows = await TestTables.ReadRowsAsync(table, _connection);

        Assert.Equal(22, rows.Count);
        Assert.Equal(["1000", "1001"], rows.Where(r => r[1] == "S1").Select(r => r[0]).Order(StringComparer.Ordinal));
        Assert.Equal(10, rows.Count(r => r[1] == "S0"));
    }

    [Fact]
    public async Task Write_OverwriteListedPartitionsWithStrayRows_ThrowsAndLeavesTable()
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, ["store"], null, CancellationToken.None);
        await table.WriteAsync(_connection, Rows(0, 30), null, CancellationToken.None);
        var options = new DeltaWriteOptions
        {
            Mode = DeltaWriteMode.OverwritePartitions,
            Partitions = [new Dictionary<string, string?> { ["store"] = "S0" }],
        };

        await Assert.ThrowsAsync<DeltaException>(() => table.WriteAsync(_connection, Rows(1000, 2, "'S2'"), options, CancellationToken.None));

        Assert.Equal(1, (await table.GetSnapshotAsync(null, CancellationToken.None)).Version);
        Assert.Equal(3, Directory.GetFiles(_directory.Combine("t"), "*.parquet", SearchOption.AllDirectories).Length);
    }

    [Theory]
    [InlineData("store", "id")]
    [InlineData("", "id")]
    [InlineData("id", "id")]
    public async Task Write_NullInNonNullableColumn_IsRefusedNamingItAndLeavesNoFile(string partition, string column)
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, partition.Length == 0 ? [] : [partition], null, CancellationToken.None);
        // one NULL id among rows of several partitions: the files are written before the check reads their statistics
        var rows = Rows(0, 30).Replace("SELECT range AS id", "SELECT CASE WHEN range = 17 THEN NULL ELSE range END AS id", StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<DeltaException>(() => table.WriteAsync(_connection, rows, null, CancellationToken.None));

        Assert.Contains($"column '{column}' is not nullable but 1 rows to write have NULL", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await table.GetSnapshotAsync(null, CancellationToken.None)).Version);
        Assert.Empty(Directory.GetFiles(_directory.Combine("t"), "*.parquet", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("store")]
    [InlineData("")]
    public async Task Write_ValueThatDoesNotConvert_IsRefusedAsSchemaMismatchAndLeavesNoFile(string partition)
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, partition.Length == 0 ? [] : [partition], null, CancellationToken.None);
        var rows = Rows(0, 30).Replace("CAST(range AS DECIMAL(18,2)) / 4 AS amount", "CASE WHEN range = 9 THEN 'ten' ELSE '1.5' END AS amount", StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<DeltaException>(() => table.WriteAsync(_connection, rows, null, CancellationToken.None));

        Assert.StartsWith("the rows to write do not fit the table schema", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_directory.Combine("t"), "*.parquet", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Write_TimestampPartitions_OneFilePerValueWithIsoUtcValues()
    {
        var schema = new DeltaSchema([new DeltaField("id", DeltaType.Long, Nullable: false), new DeltaField("hour", DeltaType.Timestamp)]);
        var table = NewTable();
        await table.CreateAsync(schema, ["hour"], null, CancellationToken.None);

        var result = await table.WriteAsync(_connection,
            "SELECT range AS id, CASE WHEN range % 3 = 2 THEN NULL ELSE TIMESTAMPTZ '2024-03-01 10:00:00+00' + to_hours(range % 3) END AS hour FROM range(9)",
            null, CancellationToken.None);

        Assert.Equal(9, result.RowsWritten);
        var values = result.AddedFiles.Select(f => f.PartitionValues["hour"] ?? "null").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["2024-03-01T10:00:00.000000Z", "2024-03-01T11:00:00.000000Z", "null"], values);
        Assert.All(result.AddedFiles, f => Assert.Equal(3, f.ParsedStats!.NumRecords));
    }

    private static readonly DeltaSchema DaySchema = new(
    [
        new DeltaField("id", DeltaType.Long, Nullable: false),
        new DeltaField("day", DeltaType.Date, Nullable: false),
    ]);

    private DataFileWriter NewWriter() => new(new LocalDeltaLogStore(_directory.Combine("t")), _directory.Combine("scratch"), TimeProvider.System);

    private int ParquetFiles() =>
        Directory.Exists(_directory.Combine("t")) ? Directory.GetFiles(_directory.Combine("t"), "*.parquet", SearchOption.AllDirectories).Length : 0;

    /// <summary>The writer's expected-partition shortcut: one plain file when every row is in it, a file per partition (and nothing stray) when not.</summary>
    [Theory]
    [InlineData("2024-03-01", "2024-03-01", 1)]
    [InlineData("2024-03-01", "2024-03-02", 2)]
    [InlineData("2024-03-02", "2024-03-01", 2)]
    public async Task Write_ExpectedPartition_OneFileWhenRightAFilePerPartitionWhenNot(string firstDay, string lastRowDay, int expectedFiles)
    {
        // 999 rows of the first day, the last row of another (or the same) day
        var rows = $"SELECT range AS id, CASE WHEN range = 999 THEN DATE '{lastRowDay}' ELSE DATE '{firstDay}' END AS day FROM range(1000)";

        var adds = await NewWriter().WriteAsync(_connection, rows, DaySchema, ["day"], dataChange: true, CancellationToken.None,
            expectedPartition: new Dictionary<string, string?> { ["day"] = "2024-03-01" });

        Assert.Equal(expectedFiles, adds.Count);
        Assert.Equal(expectedFiles, ParquetFiles());
        Assert.Equal(1000, adds.Sum(a => a.ParsedStats!.NumRecords));
        foreach (var add in adds)
        {
            var day = add.PartitionValues["day"];
            var path = Path.Combine(_directory.Combine("t"), DeltaPath.Decode(add.Path));
            var inFile = _connection.Scalar<long>($"SELECT count(*) FROM read_parquet('{path}')");
            var expected = (firstDay == day ? 999 : 0) + (lastRowDay == day ? 1 : 0);
            Assert.Equal(expected, inFile);
            Assert.StartsWith($"day={day}/", add.Path, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Write_ExpectedPartitionWithoutRows_WritesNothing()
    {
        var adds = await NewWriter().WriteAsync(_connection, "SELECT 1 AS id, DATE '2024-03-01' AS day WHERE false", DaySchema, ["day"], dataChange: true,
            CancellationToken.None, expectedPartition: new Dictionary<string, string?> { ["day"] = "2024-03-01" });

        Assert.Empty(adds);
        Assert.Equal(0, ParquetFiles());
    }

    [Fact]
    public async Task Write_TxnReplayed_IsSkippedAndRowsStayOnce()
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, [], null, CancellationToken.None);
        var batch = new DeltaWriteOptions { AppId = "lander", AppVersion = 7 };

        var first = await table.WriteAsync(_connection, Rows(0, 10), batch, CancellationToken.None);
        var replay = await table.WriteAsync(_connection, Rows(0, 10), batch, CancellationToken.None);
        var older = await table.WriteAsync(_connection, Rows(0, 10), batch with { AppVersion = 3 }, CancellationToken.None);
        var next = await table.WriteAsync(_connection, Rows(10, 10), batch with { AppVersion = 8 }, CancellationToken.None);

        Assert.False(first.Skipped);
        Assert.True(replay.Skipped);
        Assert.True(older.Skipped);
        Assert.Equal(2, next.Version);
        var snapshot = await table.GetSnapshotAsync(null, CancellationToken.None);
        Assert.Equal(8, snapshot.TransactionVersion("lander"));
        Assert.Equal(20, (await TestTables.ReadRowsAsync(table, _connection)).Count);
    }

    [Fact]
    public async Task Write_EmptyInput_CommitsNothingButRecordsTxn()
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, ["store"], null, CancellationToken.None);

        var empty = await table.WriteAsync(_connection, Rows(0, 0), null, CancellationToken.None);
        var emptyWithTxn = await table.WriteAsync(_connection, Rows(0, 0), new DeltaWriteOptions { AppId = "job", AppVersion = 1 }, CancellationToken.None);

        Assert.Null(empty.Version);
        Assert.Equal(1, emptyWithTxn.Version);
        var snapshot = await table.GetSnapshotAsync(null, CancellationToken.None);
        Assert.Equal(1, snapshot.TransactionVersion("job"));
        Assert.Empty(snapshot.Files);
        Assert.Empty(await TestTables.ReadRowsAsync(table, _connection));
    }

    [Fact]
    public async Task Write_NullInNonNullableColumn_ThrowsAndWritesNoFile()
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, [], null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<DeltaException>(() =>
            table.WriteAsync(_connection, "SELECT NULL AS id, 'x' AS store, 1 AS amount, 'n' AS note, NULL AS ts, NULL AS day", null, CancellationToken.None));

        Assert.Contains("'id'", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_directory.Combine("t"), "*.parquet", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Write_FiftyCommits_CheckpointsEveryTenAndEveryVersionReads()
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, [], null, CancellationToken.None);
        for (var i = 0; i < 50; i++)
        {
            await table.WriteAsync(_connection, Rows(i, 1), null, CancellationToken.None);
        }

        var log = Directory.GetFiles(_directory.Combine("t", "_delta_log")).Select(Path.GetFileName).ToHashSet();
        Assert.All(new[] { 10, 20, 30, 40, 50 }, v => Assert.Contains(DeltaLogFile.CheckpointName(v), log));
        Assert.Equal(5, log.Count(n => n!.Contains("checkpoint.parquet", StringComparison.Ordinal)));
        var hint = LastCheckpoint.TryParse(File.ReadAllBytes(_directory.Combine("t", "_delta_log", "_last_checkpoint")));
        Assert.Equal(50, hint!.Version);
        foreach (var version in new long[] { 0, 1, 9, 10, 11, 25, 40, 49, 50 })
        {
            var rows = await TestTables.ReadRowsAsync(table, _connection, version);
            Assert.Equal(version, rows.Count);
            Assert.Equal(Enumerable.Range(0, (int)version).Select(i => i.ToString(CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal), rows.Select(r => r[0]).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Load_CheckpointOnly_DoesNotNeedEarlierCommits()
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, [], null, CancellationToken.None);
        for (var i = 0; i < 12; i++)
        {
            await table.WriteAsync(_connection, Rows(i, 1), new DeltaWriteOptions { AppId = "a", AppVersion = i }, CancellationToken.None);
        }
        // log clean-up removed the commits the checkpoint summarises
        for (var v = 0; v <= 10; v++)
        {
            File.Delete(_directory.Combine("t", "_delta_log", DeltaLogFile.CommitName(v)));
        }

        var snapshot = await table.GetSnapshotAsync(null, CancellationToken.None);

        Assert.Equal(12, snapshot.Version);
        Assert.Equal(11, snapshot.TransactionVersion("a"));
        Assert.Equal(12, (await TestTables.ReadRowsAsync(table, _connection)).Count);
        await Assert.ThrowsAsync<DeltaException>(() => table.GetSnapshotAsync(5, CancellationToken.None));
    }

    [Fact]
    public async Task Load_CorruptLastCheckpointAndIncompleteMultipart_FallsBackToListing()
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, [], null, CancellationToken.None);
        for (var i = 0; i < 11; i++)
        {
            await table.WriteAsync(_connection, Rows(i, 1), null, CancellationToken.None);
        }
        var log = _directory.Combine("t", "_delta_log");
        File.WriteAllText(Path.Combine(log, "_last_checkpoint"), "{not json");
        // an interrupted multi-part checkpoint at 11: part 1 of 2 only, garbage content
        File.WriteAllText(Path.Combine(log, DeltaLogFile.CheckpointPartName(11, 1, 2)), "garbage");
        File.WriteAllText(Path.Combine(log, ".00000000000000000011.json.crc"), "x");
        File.WriteAllText(Path.Combine(log, "00000000000000000011.crc"), "x");

        var snapshot = await table.GetSnapshotAsync(null, CancellationToken.None);

        Assert.Equal(11, snapshot.Version);
        Assert.Equal(11, (await TestTables.ReadRowsAsync(table, _connection)).Count);
    }

    [Fact]
    public async Task Load_CompleteMultipartCheckpoint_ReplacesTheCommitsItSummarises()
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, ["store"], null, CancellationToken.None);
        for (var i = 0; i < 11; i++)
        {
            await table.WriteAsync(_connection, Rows(i * 3, 3), new DeltaWriteOptions { AppId = "m", AppVersion = i }, CancellationToken.None);
        }
        var log = _directory.Combine("t", "_delta_log");
        var single = Path.Combine(log, DeltaLogFile.CheckpointName(10));
        // split the classic checkpoint into a 2-part set, then remove everything it replaces
        for (var part = 1; part <= 2; part++)
        {
            _connection.Execute(
                $"COPY (SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER () AS rn FROM read_parquet('{single}')) WHERE rn % 2 = {part - 1}) "
                + $"TO '{Path.Combine(log, DeltaLogFile.CheckpointPartName(10, part, 2))}' (FORMAT parquet)");
        }
        File.Delete(single);
        for (var v = 0; v <= 10; v++)
        {
            File.Delete(Path.Combine(log, DeltaLogFile.CommitName(v)));
        }

        var fresh = NewTable();
        var snapshot = await fresh.GetSnapshotAsync(null, CancellationToken.None);

        Assert.Equal(11, snapshot.Version);
        Assert.Equal(10, snapshot.TransactionVersion("m"));
        Assert.Equal(["store"], snapshot.PartitionColumns);
        Assert.Equal(33, (await TestTables.ReadRowsAsync(fresh, _connection)).Count);
    }

    [Fact]
    public async Task Optimize_SmallFiles_CompactsPerPartitionWithoutDataChange()
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, ["store"], null, CancellationToken.None);
        for (var i = 0; i < 4; i++)
        {
            await table.WriteAsync(_connection, Rows(i * 10, 10), null, CancellationToken.None);
        }
        var before = await TestTables.ReadRowsAsync(table, _connection);

        var result = await table.OptimizeAsync(_connection, CancellationToken.None);

        Assert.Equal(12, result.FilesRemoved);
        Assert.Equal(3, result.FilesAdded);
        var snapshot = await table.GetSnapshotAsync(null, CancellationToken.None);
        Assert.Equal(3, snapshot.Files.Count);
        Assert.All(snapshot.Files, f => Assert.False(f.DataChange));
        Assert.Equal(40, snapshot.NumRecordsFromStats);
        Assert.Equal(before.Select(r => string.Join("|", r)), (await TestTables.ReadRowsAsync(table, _connection)).Select(r => string.Join("|", r)));
        var commit = await table.Log.ReadCommitAsync(result.Version!.Value, CancellationToken.None);
        Assert.All(commit.OfType<RemoveAction>(), r => Assert.False(r.DataChange));
        Assert.Equal("OPTIMIZE", commit.OfType<CommitInfoAction>().Single().Operation);
    }

    [Fact]
    public async Task Vacuum_RemovedFiles_DeletedOnlyAfterRetention()
    {
        var options = new DeltaTableOptions { Log = new DeltaLogOptions { DeletedFileRetention = TimeSpan.FromDays(7) } };
        var table = NewTable(options: options);
        await table.CreateAsync(SalesSchema, [], null, CancellationToken.None);
        await table.WriteAsync(_connection, Rows(0, 5), null, CancellationToken.None);
        await table.WriteAsync(_connection, Rows(5, 5), new DeltaWriteOptions { Mode = DeltaWriteMode.Overwrite }, CancellationToken.None);

        var early = await table.VacuumAsync(null, dryRun: false, CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(8));
        var dry = await table.VacuumAsync(null, dryRun: true, CancellationToken.None);
        var late = await table.VacuumAsync(null, dryRun: false, CancellationToken.None);

        Assert.Empty(early.Deleted);
        Assert.Single(dry.Deleted);
        Assert.Single(late.Deleted);
        Assert.Single(Directory.GetFiles(_directory.Combine("t"), "*.parquet"));
        Assert.Equal(5, (await TestTables.ReadRowsAsync(table, _connection)).Count);
        Assert.True(Directory.Exists(_directory.Combine("t", "_delta_log")));
    }

    [Fact]
    public async Task Create_Twice_SecondFailsWithConflict()
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, [], null, CancellationToken.None);

        await Assert.ThrowsAsync<DeltaConflictException>(() => table.CreateAsync(SalesSchema, [], null, CancellationToken.None));
        var again = await table.CreateIfNotExistsAsync(SalesSchema, [], null, CancellationToken.None);

        Assert.Equal(0, again.Version);
    }

    [Fact]
    public async Task Write_CommitFile_HasCommitInfoFirstAndProtocolOneTwo()
    {
        var table = NewTable();
        await table.CreateAsync(SalesSchema, ["store"], new Dictionary<string, string?> { ["owner"] = "tests" }, CancellationToken.None);
        await table.WriteAsync(_connection, Rows(0, 3), null, CancellationToken.None);

        var lines = File.ReadAllLines(_directory.Combine("t", "_delta_log", DeltaLogFile.CommitName(0)));
        var appendLines = File.ReadAllLines(_directory.Combine("t", "_delta_log", DeltaLogFile.CommitName(1)));

        Assert.StartsWith("{\"commitInfo\"", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l == "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}");
        var info = JsonNode.Parse(appendLines[0])!["commitInfo"]!;
        Assert.Equal(0, (long)info["readVersion"]!);
        Assert.True((bool)info["isBlindAppend"]!);
        Assert.Equal("3", (string)info["operationMetrics"]!["numOutputRows"]!);
    }
}
