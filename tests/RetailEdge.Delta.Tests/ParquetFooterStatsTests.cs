using DuckDB.NET.Data;
using RetailEdge.Delta.Storage;
using RetailEdge.Testing;

namespace RetailEdge.Delta.Tests;

/// <summary>
/// The add-action stats read from a Parquet file's footer are exactly the stats a scan of the whole
/// file gives (the scan is the reference), for every primitive type the lake writes, over several
/// row groups, with nulls, all-null columns and long or non-ASCII strings; a file whose footer cannot
/// give them (NaN in a float column) gets the scan's stats.
/// </summary>
public sealed class ParquetFooterStatsTests() : InMemoryDuckDbTest("delta-footer-stats")
{
    private static readonly DeltaField[] Columns =
    [
        new("l", DeltaType.Long), new("i", DeltaType.Integer), new("sh", DeltaType.Short), new("by", DeltaType.Byte),
        new("d", DeltaType.Double), new("f", DeltaType.Float), new("dec_small", DeltaType.Decimal(5, 2)),
        new("dec_long", DeltaType.Decimal(18, 3)), new("dec_wide", DeltaType.Decimal(38, 6)), new("s", DeltaType.String),
        new("day", DeltaType.Date), new("at", DeltaType.Timestamp), new("flag", DeltaType.Boolean), new("raw", DeltaType.Binary),
        new("no_strings", DeltaType.String), new("no_doubles", DeltaType.Double), new("no_times", DeltaType.Timestamp),
    ];

    [Theory]
    [InlineData(7000, 2048, false)]
    [InlineData(7000, 2048, true)]
    [InlineData(1, 2048, false)]
    [InlineData(0, 2048, false)]
    [InlineData(3000, 100000, true)]
    public void FromFooter_EveryPrimitiveTypeOverRowGroups_EqualsTheScan(int rows, int rowGroupSize, bool withNulls)
    {
        var file = Write(rows, rowGroupSize, withNulls, withNaN: false);
        if (rows > rowGroupSize)
        {
            Assert.True(RowGroups(file) > 1, "the file should have several row groups");
        }

        var scanned = ParquetFileStats.Scan(Connection, file, Columns);
        var footer = ParquetFileStats.FromFooter(Connection, file, Columns);

        Assert.NotNull(footer);
        Assert.Equal(scanned.ToJsonString(), footer.ToJsonString());
        Assert.Equal(rows, footer.NumRecords);
        if (rows > 1)
        {
            // the bounds are really there: a long non-ASCII string truncated, a timestamp in milliseconds
            Assert.Equal(33, footer.MaxValues["s"]!.GetValue<string>().Length);
            Assert.NotNull(footer.MinValues["at"]);
            Assert.NotNull(footer.MaxValues["dec_wide"]);
            Assert.Null(footer.MinValues["no_strings"]);
            Assert.Equal(rows, footer.NullCount["no_times"]!.GetValue<long>());
        }
    }

    [Fact]
    public void Compute_FloatColumnWithNaN_FallsBackToTheScan()
    {
        var file = Write(7000, 2048, withNulls: true, withNaN: true);

        Assert.Null(ParquetFileStats.FromFooter(Connection, file, Columns));
        var computed = ParquetFileStats.Compute(Connection, file, Columns);

        Assert.Equal(ParquetFileStats.Scan(Connection, file, Columns).ToJsonString(), computed.ToJsonString());
        Assert.Null(computed.MaxValues["d"]);
        Assert.NotNull(computed.MaxValues["l"]);
    }

    [Theory]
    [InlineData("0.0", "1.5")]
    [InlineData("-0.0", "0.0")]
    [InlineData("-2.5", "-0.0")]
    public void FromFooter_SignedZeroBounds_EqualTheScan(string low, string high)
    {
        var file = Path.Combine(Scratch.Path, $"{Guid.NewGuid():N}.parquet");
        Connection.Execute($"COPY (SELECT CAST(CASE WHEN i % 2 = 0 THEN {low} ELSE {high} END AS DOUBLE) AS d, "
            + $"CAST(CASE WHEN i % 2 = 0 THEN {low} ELSE {high} END AS FLOAT) AS f FROM range(0, 5000) t(i)) TO {DuckDbSql.Literal(file)} "
            + "(FORMAT parquet, ROW_GROUP_SIZE 2048)");
        DeltaField[] columns = [new("d", DeltaType.Double), new("f", DeltaType.Float)];

        var footer = ParquetFileStats.FromFooter(Connection, file, columns);

        Assert.Equal(ParquetFileStats.Scan(Connection, file, columns).ToJsonString(), footer?.ToJsonString());
    }

    private string Write(int rows, int rowGroupSize, bool withNulls, bool withNaN)
    {
        var file = Path.Combine(Scratch.Path, $"{Guid.NewGuid():N}.parquet");
        // values spread so that each bound comes from a different row group, negatives included
        const string k = "((i * 7919) % 6007 - 3001)";
        var nullable = (string expression) => withNulls ? $"CASE WHEN i % 5 = 1 THEN NULL ELSE {expression} END" : expression;
        var nan = withNaN ? "CASE WHEN i = 4500 THEN 'NaN'::DOUBLE ELSE " + k + " / 7.0 END" : k + " / 7.0";
        var select = string.Join(", ",
            $"CAST({nullable(k + " * 1000003")} AS BIGINT) AS l",
            $"CAST({nullable(k + " * 711")} AS INTEGER) AS i",
            $"CAST({nullable(k)} AS SMALLINT) AS sh",
            $"CAST({nullable(k + " % 128")} AS TINYINT) AS by",
            $"CAST({nullable(nan)} AS DOUBLE) AS d",
            $"CAST({nullable(k + " / 3.0")} AS FLOAT) AS f",
            $"CAST({nullable(k + " / 100.0")} AS DECIMAL(5,2)) AS dec_small",
            $"CAST({nullable(k + " * 1234.567")} AS DECIMAL(18,3)) AS dec_long",
            $"CAST({nullable(k + " * 123456789012.123456")} AS DECIMAL(38,6)) AS dec_wide",
            $"CAST({nullable("CASE WHEN i % 3 = 0 THEN 'Zürich Straße ' || repeat('é', 40) || (i % 97) ELSE 'Ab' || " + k + " END")} AS VARCHAR) AS s",
            $"CAST({nullable("DATE '2026-11-02' + CAST(" + k + " AS INTEGER)")} AS DATE) AS day",
            $"CAST({nullable("TIMESTAMPTZ '2026-11-02 10:00:00.000500+00' + to_microseconds(" + k + " * 1000123)")} AS TIMESTAMPTZ) AS at",
            $"CAST({nullable("i % 2 = 0")} AS BOOLEAN) AS flag",
            $"CAST({nullable("encode('x' || i)")} AS BLOB) AS raw",
            "CAST(NULL AS VARCHAR) AS no_strings",
            "CAST(NULL AS DOUBLE) AS no_doubles",
            "CAST(NULL AS TIMESTAMPTZ) AS no_times");
        Connection.Execute($"COPY (SELECT {select} FROM range(0, {rows}) t(i) ORDER BY i) TO {DuckDbSql.Literal(file)} "
            + $"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {rowGroupSize})");
        return file;
    }

    private long RowGroups(string file) =>
        Connection.Scalar<long>($"SELECT count(DISTINCT row_group_id) FROM parquet_metadata({DuckDbSql.Literal(file)})", CancellationToken.None);
}
