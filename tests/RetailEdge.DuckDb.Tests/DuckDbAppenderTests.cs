using System.Diagnostics;
using RetailEdge.DuckDb;

namespace RetailEdge.DuckDb.Tests;

public sealed class DuckDbAppenderTests : IDisposable
{
    private readonly DuckDbDatabase _database = DuckDbDatabase.Open(options: new DuckDbDatabaseOptions { Threads = 2 });
    private readonly DuckDbConnection _connection;

    public DuckDbAppenderTests()
    {
        _connection = _database.Connect();
    }

    public void Dispose()
    {
        _connection.Dispose();
        _database.Dispose();
    }

    [Fact]
    public void Append_OneMillionRows_AllStoredQuickly()
    {
        _connection.ExecuteNonQuery("CREATE TABLE events (id BIGINT, store VARCHAR, qty INTEGER, amount DOUBLE, ts TIMESTAMP)");
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
        var watch = Stopwatch.StartNew();
        using (var appender = _connection.CreateAppender("events"))
        {
            for (var i = 0; i < 1_000_000; i++)
            {
                appender.Append((long)i).Append(i % 2 == 0 ? "store-0001" : "store-0002").Append(i % 10).Append(i * 0.5).Append(start.AddSeconds(i));
                appender.EndRow();
            }
        }
        watch.Stop();
        using var result = _connection.Query("SELECT count(*), sum(id), sum(qty), max(ts), count(DISTINCT store) FROM events");
        Assert.True(result.Read());
        Assert.Equal(1_000_000L, result.GetInt64(0));
        Assert.Equal(499_999_500_000L, result.GetInt64(1));
        Assert.Equal(4_500_000L, result.GetInt64(2));
        Assert.Equal(start.AddSeconds(999_999), result.GetDateTime(3));
        Assert.Equal(2L, result.GetInt64(4));
        // A sanity bound, not a benchmark: row-by-row appends through P/Invoke run at several
        // hundred thousand rows per second even on a loaded 2-core machine (see BENCHMARKS.md).
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"1M rows took {watch.Elapsed}");
    }

    [Fact]
    public void Append_AllTypes_RoundTrip()
    {
        _connection.ExecuteNonQuery("""
            CREATE TABLE t (b BOOLEAN, i8 TINYINT, i16 SMALLINT, i32 INTEGER, i64 BIGINT, u8 UTINYINT, u16 USMALLINT, u32 UINTEGER,
                u64 UBIGINT, h HUGEINT, uh UHUGEINT, f FLOAT, d DOUBLE, dec DECIMAL(18,3), s VARCHAR, bl BLOB, dt DATE, tm TIME,
                ts TIMESTAMP, tstz TIMESTAMPTZ, iv INTERVAL, id UUID, n INTEGER)
            """);
        var guid = Guid.NewGuid();
        var instant = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.FromHours(-5));
        var longText = new string('z', 3000);
        using (var appender = _connection.CreateAppender("t"))
        {
            Assert.Equal(23, appender.ColumnCount);
            appender.Append(true).Append((sbyte)1).Append((short)2).Append(3).Append(4L).Append((byte)5).Append((ushort)6).Append(7u)
                .Append(8ul).Append((Int128)9).Append((UInt128)10).Append(11.5f).Append(12.25).Append(-13.125m).Append(longText)
                .Append(new byte[] { 1, 2, 3 }).Append(new DateOnly(2026, 2, 28)).Append(new TimeOnly(1, 2, 3))
                .Append(new DateTime(2026, 2, 28, 4, 5, 6)).Append(instant).Append(new DuckDbInterval(1, 2, 3)).Append(guid).AppendNull();
            appender.EndRow();
            appender.AppendRow(false, null, null, null, null, null, null, null, null, null, null, null, null, 0.5m, "short", Array.Empty<byte>(), null, null, null, null, null, null, 1);
        }
        using var result = _connection.Query("SELECT * FROM t ORDER BY b DESC");
        Assert.True(result.Read());
        Assert.True(result.GetBoolean(0));
        Assert.Equal(10, result.GetInt32(10));
        Assert.Equal(-13.125m, result.GetDecimal(13));
        Assert.Equal(longText, result.GetString(14));
        Assert.Equal(new byte[] { 1, 2, 3 }, result.GetBlob(15));
        Assert.Equal(new DateTime(2026, 2, 28, 4, 5, 6), result.GetDateTime(18));
        Assert.Equal(instant, result.GetDateTimeOffset(19));
        Assert.Equal(new DuckDbInterval(1, 2, 3), result.GetInterval(20));
        Assert.Equal(guid, result.GetGuid(21));
        Assert.True(result.IsNull(22));
        Assert.True(result.Read());
        Assert.True(result.IsNull(1));
        Assert.Equal(0.5m, result.GetDecimal(13));
        Assert.Empty(result.GetBlob(15));
        Assert.Equal(1, result.GetInt32(22));
    }

    [Fact]
    public void Append_UnknownTable_ThrowsWithDuckDbMessage()
    {
        var error = Assert.Throws<DuckDbException>(() => _connection.CreateAppender("missing_table"));
        Assert.Contains("missing_table", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Append_TooManyValues_ThrowsWithDuckDbMessage()
    {
        _connection.ExecuteNonQuery("CREATE TABLE one (a INTEGER)");
        using var appender = _connection.CreateAppender("one");
        appender.Append(1);
        var error = Assert.Throws<DuckDbException>(() => appender.Append(2));
        Assert.Equal("append", error.Operation);
        Assert.NotEmpty(error.DuckDbMessage);
    }

    [Fact]
    public void Close_DuplicateKey_SurfacesOnFlushAndTableHasNoPartialBatch()
    {
        _connection.ExecuteNonQuery("CREATE TABLE pk (id INTEGER PRIMARY KEY)");
        var appender = _connection.CreateAppender("pk");
        appender.Append(1).EndRow();
        appender.Append(1).EndRow();
        var error = Assert.Throws<DuckDbException>(appender.Close);
        Assert.Contains("duplicate key", error.Message, StringComparison.OrdinalIgnoreCase);
        appender.Dispose();
        Assert.Equal(0L, _connection.ExecuteScalar<long>("SELECT count(*) FROM pk"));
    }

    [Fact]
    public void Append_AfterClose_ThrowsObjectDisposed()
    {
        _connection.ExecuteNonQuery("CREATE TABLE c (a INTEGER)");
        var appender = _connection.CreateAppender("c");
        appender.Close();
        Assert.Throws<ObjectDisposedException>(() => appender.Append(1));
        appender.Dispose();
    }

    [Fact]
    public void Append_WithSchema_InsertsIntoThatSchema()
    {
        _connection.ExecuteNonQuery("CREATE SCHEMA silver; CREATE TABLE silver.sales (v INTEGER)");
        using (var appender = _connection.CreateAppender("sales", "silver"))
        {
            appender.Append(41).EndRow();
            appender.Flush();
            appender.Append(1).EndRow();
        }
        Assert.Equal(42L, _connection.ExecuteScalar<long>("SELECT sum(v) FROM silver.sales"));
    }

    [Fact]
    public void Dispose_ExceptionMidRow_OriginalErrorSurfacesAndBatchIsDropped()
    {
        _connection.ExecuteNonQuery("CREATE TABLE mid (a INTEGER, b VARCHAR)");
        void AppendThenFailMidRow()
        {
            using var appender = _connection.CreateAppender("mid");
            appender.Append(1).Append("complete row").EndRow();
            appender.Append(2);
            throw new FormatException("caller failed while producing column b");
        }

        var error = Assert.Throws<FormatException>(AppendThenFailMidRow);
        Assert.Equal("caller failed while producing column b", error.Message);
        Assert.Equal(0L, _connection.ExecuteScalar<long>("SELECT count(*) FROM mid"));
        // The connection is still usable for a new appender.
        using (var appender = _connection.CreateAppender("mid"))
        {
            appender.Append(3).Append("ok").EndRow();
        }
        Assert.Equal(3L, _connection.ExecuteScalar<long>("SELECT sum(a) FROM mid"));
    }

    [Fact]
    public void Append_InsideTransactionRolledBack_LeavesNothing()
    {
        _connection.ExecuteNonQuery("CREATE TABLE tx (a INTEGER)");
        _connection.ExecuteNonQuery("BEGIN TRANSACTION");
        using (var appender = _connection.CreateAppender("tx"))
        {
            for (var i = 0; i < 5000; i++)
            {
                appender.Append(i).EndRow();
            }
        }
        _connection.ExecuteNonQuery("ROLLBACK");
        Assert.Equal(0L, _connection.ExecuteScalar<long>("SELECT count(*) FROM tx"));
    }
}
