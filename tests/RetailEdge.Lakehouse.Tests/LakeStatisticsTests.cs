using System.Globalization;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Delta;
using RetailEdge.Delta.Storage;
using RetailEdge.Testing;

namespace RetailEdge.Lakehouse.Tests;

/// <summary>
/// Tables written by the lake jobs are plain Delta: DuckDB's own read_parquet over the live files
/// gives the same rows as our reader, and every add action's statistics (numRecords, nullCount,
/// minValues, maxValues) match what DuckDB computes from that data file independently.
/// </summary>
public sealed class LakeStatisticsTests
{
    [Fact]
    public async Task LakeJobsTables_ReadParquetEqualsOurReader_AndStatsMatchTheDataFiles()
    {
        using var temp = new TempDirectory("lake-stats");
        var scenario = LakeScenario.Create(temp.Path, stores: 2, TimeSpan.FromDays(2), "default", seed: 11);
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake")), TimeProvider.System);
        await new ReferenceLoader(lake).LoadAsync(scenario.ReferenceFolder, CancellationToken.None);
        await new LakehousePipeline(lake, new FolderTelemetrySource(scenario.Source), NullLoggerFactory.Instance).RunUntilIdleAsync(CancellationToken.None);
        using var connection = lake.Connect();

        var checkedFiles = 0;
        var boundsSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var definition in (IEnumerable<LakeTableDefinition>)[LakeTables.BronzeTelemetry, .. LakeTables.SilverTables, .. LakeTables.GoldTables])
        {
            var table = lake.Table(definition);
            var snapshot = await table.TryLoadAsync(CancellationToken.None);
            if (snapshot is null || snapshot.Files.Count == 0)
            {
                continue;
            }
            AssertReadParquetEqualsReader(connection, table, snapshot);
            foreach (var file in snapshot.Files)
            {
                var path = await table.LocalPathAsync(file, CancellationToken.None);
                var stats = Assert.IsType<DeltaFileStats>(file.ParsedStats);
                Assert.Equal(connection.Scalar<long>($"SELECT count(*) FROM read_parquet({DuckDbSql.Literal(path)})"), stats.NumRecords);
                foreach (var column in definition.DataColumns)
                {
                    if (AssertColumnStats(connection, path, column, stats, definition.FullName))
                    {
                        boundsSeen.Add(column.Name);
                    }
                }
                checkedFiles++;
            }
        }
        Assert.True(checkedFiles > 20, $"only {checkedFiles} files checked");
        // the columns queries name (ARCHITECTURE.md §9) carry bounds
        Assert.Subset(boundsSeen, new HashSet<string>(["store_id", "item_id", "device_id", "window_start", "ts", "enqueued_time"]));
    }

    /// <summary>DuckDB's read_parquet over the live files (partition columns from the Hive folders) against our snapshot reader.</summary>
    private static void AssertReadParquetEqualsReader(DuckDBConnection connection, LakeTable table, DeltaSnapshot snapshot)
    {
        var definition = table.Definition;
        var paths = snapshot.Files.Select(f => Path.Combine(table.Store.LocalRoot!, DeltaPath.Decode(f.Path))).ToList();
        var columns = string.Join(", ", definition.Columns.Select(c => $"CAST({DuckDbSql.Identifier(c.Name)} AS {c.DuckDbType}) AS {DuckDbSql.Identifier(c.Name)}"));
        var hive = definition.PartitionColumn is null ? "false" : "true";
        connection.Execute($"CREATE OR REPLACE TEMP VIEW raw_files AS SELECT {columns} FROM read_parquet({DuckDbSql.LiteralList(paths)}, hive_partitioning = {hive})");
        connection.Execute("CREATE OR REPLACE TEMP VIEW ours AS " + table.SelectSqlAsync(snapshot.Files, CancellationToken.None).GetAwaiter().GetResult());
        Assert.Null(LakeAssertions.Difference(connection, "ours", "raw_files"));
        Assert.Equal(snapshot.Files.Sum(f => f.ParsedStats!.NumRecords), LakeAssertions.Count(connection, "SELECT * FROM ours"));
    }

    /// <summary>Checks one column's nullCount and bounds against DuckDB's aggregates over the file; true when the log has bounds for it.</summary>
    private static bool AssertColumnStats(DuckDBConnection connection, string path, LakeColumn column, DeltaFileStats stats, string table)
    {
        var name = DuckDbSql.Identifier(column.Name);
        using var reader = connection.Query(
            $"SELECT count(*) - count({name}), CAST(min({name}) AS VARCHAR), CAST(max({name}) AS VARCHAR), epoch_us(try_cast(min({name}) AS TIMESTAMPTZ)), epoch_us(try_cast(max({name}) AS TIMESTAMPTZ)) "
            + $"FROM read_parquet({DuckDbSql.Literal(path)})");
        Assert.True(reader.Read());
        var where = $"{table}.{column.Name} in {Path.GetFileName(path)}";
        Assert.True(stats.NullCount[column.Name] is JsonValue, $"{where}: no nullCount");
        Assert.Equal(reader.GetInt64(0), stats.NullCount[column.Name]!.GetValue<long>());
        var logMin = stats.MinValues[column.Name];
        var logMax = stats.MaxValues[column.Name];
        var type = column.DeltaType;
        if (reader.IsDBNull(1) || type.Name is "boolean" or "binary")
        {
            Assert.True(logMin is null && logMax is null, $"{where}: bounds without values");
            return false;
        }
        Assert.True(logMin is not null && logMax is not null, $"{where}: bounds missing");
        string min = reader.GetString(1), max = reader.GetString(2);
        switch (type.Name)
        {
            case "timestamp":
                // milliseconds in the log: the min rounded down, the max rounded up
                long minUs = reader.GetInt64(3), maxUs = reader.GetInt64(4);
                Assert.Equal(Math.Floor(minUs / 1000.0), Millis(logMin!));
                Assert.Equal(Math.Ceiling(maxUs / 1000.0), Millis(logMax!));
                break;
            case "string":
                Assert.Equal(min.Length <= DeltaFileStats.StringPrefixLength ? min : min[..DeltaFileStats.StringPrefixLength], logMin!.GetValue<string>());
                Assert.True(string.CompareOrdinal(logMax!.GetValue<string>(), max) >= 0, $"{where}: max {logMax} below {max}");
                Assert.StartsWith(max.Length <= DeltaFileStats.StringPrefixLength ? max : max[..DeltaFileStats.StringPrefixLength], logMax.GetValue<string>(), StringComparison.Ordinal);
                break;
            case "date":
                Assert.Equal(min, logMin!.GetValue<string>());
                Assert.Equal(max, logMax!.GetValue<string>());
                break;
            default:
                // integers and decimals: the same number
                Assert.Equal(decimal.Parse(min, NumberStyles.Float, CultureInfo.InvariantCulture), logMin!.GetValue<decimal>());
                Assert.Equal(decimal.Parse(max, NumberStyles.Float, CultureInfo.InvariantCulture), logMax!.GetValue<decimal>());
                break;
        }
        return true;
    }

    private static double Millis(JsonNode bound) =>
        DateTimeOffset.Parse(bound.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeMilliseconds();
}
