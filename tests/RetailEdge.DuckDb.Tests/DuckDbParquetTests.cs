using RetailEdge.DuckDb;
using RetailEdge.Testing;

namespace RetailEdge.DuckDb.Tests;

/// <summary>Parquet through DuckDB's built-in writer/reader: what the Delta writer relies on.</summary>
public sealed class DuckDbParquetTests : IDisposable
{
    private readonly TempDirectory _directory = new("duckdb-parquet");
    private readonly DuckDbDatabase _database = DuckDbDatabase.Open(options: new DuckDbDatabaseOptions { Threads = 2 });
    private readonly DuckDbConnection _connection;

    public DuckDbParquetTests()
    {
        _connection = _database.Connect();
        _connection.ExecuteNonQuery("""
            CREATE TABLE sales AS
            SELECT i AS id, 'store ' || (i % 3) || '=x' AS store, DATE '2026-11-01' + (i % 2)::INTEGER AS day, (i * 0.01)::DECIMAL(12,2) AS amount
            FROM range(30000) t(i)
            """);
    }

    public void Dispose()
    {
        _connection.Dispose();
        _database.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void CopyTo_ParquetZstd_ReadBackEqual()
    {
        var file = _directory.Combine("it's a file.parquet");
        _connection.ExecuteNonQuery($"COPY sales TO {DuckDbSql.QuoteLiteral(file)} (FORMAT parquet, COMPRESSION zstd)");
        Assert.True(File.Exists(file));

        using (var codecs = _connection.Query("SELECT DISTINCT compression FROM parquet_metadata($1)", file))
        {
            Assert.True(codecs.Read());
            Assert.Equal("ZSTD", codecs.GetString(0));
            Assert.False(codecs.Read());
        }
        using var diff = _connection.Query(
            "SELECT (SELECT count(*) FROM read_parquet($1)), (SELECT count(*) FROM (SELECT * FROM sales EXCEPT ALL SELECT * FROM read_parquet($1)))", file);
        Assert.True(diff.Read());
        Assert.Equal(30000L, diff.GetInt64(0));
        Assert.Equal(0L, diff.GetInt64(1));
    }

    [Fact]
    public void CopyTo_PartitionBy_WritesHiveFoldersReadBackWithPartitionColumns()
    {
        var root = _directory.Combine("table");
        _connection.ExecuteNonQuery($"COPY sales TO {DuckDbSql.QuoteLiteral(root)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day))");
        var folders = Directory.GetDirectories(root).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "day=2026-11-01", "day=2026-11-02" }, folders);

        using var result = _connection.Query(
            "SELECT day::DATE, count(*), sum(amount) FROM read_parquet($1, hive_partitioning = true) GROUP BY ALL ORDER BY 1",
            Path.Combine(root, "*", "*.parquet"));
        Assert.True(result.Read());
        Assert.Equal(new DateOnly(2026, 11, 1), result.GetDate(0));
        Assert.Equal(15000L, result.GetInt64(1));
        Assert.True(result.Read());
        Assert.Equal(15000L, result.GetInt64(1));
        Assert.False(result.Read());
    }

    [Fact]
    public void QuoteIdentifier_HostileName_IsOneIdentifier()
    {
        var name = "weird \"; DROP TABLE sales; --";
        _connection.ExecuteNonQuery($"CREATE TABLE {DuckDbSql.QuoteIdentifier(name)} AS SELECT 1 AS {DuckDbSql.QuoteIdentifier("a\"b")}");
        Assert.Equal(1, _connection.ExecuteScalar<int>($"SELECT {DuckDbSql.QuoteIdentifier("a\"b")} FROM {DuckDbSql.QuoteIdentifier(name)}"));
        Assert.Equal(30000L, _connection.ExecuteScalar<long>("SELECT count(*) FROM sales"));
    }

    [Fact]
    public void QuoteLiteral_QuotesAndBackslashes_StayLiteral()
    {
        var value = @"O'Brien \' ''; SELECT 1; --";
        Assert.Equal(value, _connection.ExecuteScalar<string>("SELECT " + DuckDbSql.QuoteLiteral(value)));
        Assert.Throws<ArgumentException>(() => DuckDbSql.QuoteLiteral("nul\0byte"));
    }
}
