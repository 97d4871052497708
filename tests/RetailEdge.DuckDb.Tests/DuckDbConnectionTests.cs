using System.Text;
using RetailEdge.DuckDb;

namespace RetailEdge.DuckDb.Tests;

public sealed class DuckDbConnectionTests : IDisposable
{
    private readonly DuckDbDatabase _database = DuckDbDatabase.Open(options: new DuckDbDatabaseOptions { Threads = 2, MemoryLimit = "1GB" });
    private readonly DuckDbConnection _connection;

    public DuckDbConnectionTests()
    {
        _connection = _database.Connect();
    }

    public void Dispose()
    {
        _connection.Dispose();
        _database.Dispose();
    }

    [Fact]
    public void Library_Loaded_IsPinnedVersion()
    {
        Assert.Equal("v1.5.6", DuckDbLibrary.Version);
        Assert.True(File.Exists(DuckDbLibrary.LoadedPath));
    }

    [Fact]
    public void Open_Options_AreApplied()
    {
        Assert.Equal("2", _connection.ExecuteScalar<string>("SELECT current_setting('threads')::VARCHAR"));
    }

    [Fact]
    public void Open_InvalidOption_ThrowsWithDuckDbMessage()
    {
        var error = Assert.Throws<DuckDbException>(() => DuckDbDatabase.Open(options: new DuckDbDatabaseOptions
        {
            Settings = new Dictionary<string, string> { ["no_such_setting_xyz"] = "1" },
        }));
        Assert.Contains("no_such_setting_xyz", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_InvalidThreads_ThrowsNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => DuckDbDatabase.Open(options: new DuckDbDatabaseOptions { Threads = 0 }));
        Assert.Contains("Threads", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_File_PersistsAcrossReopen()
    {
        using var directory = new RetailEdge.Testing.TempDirectory("duckdb");
        var path = directory.Combine("store.duckdb");
        using (var database = DuckDbDatabase.Open(path))
        using (var connection = database.Connect())
        {
            connection.ExecuteNonQuery("CREATE TABLE t (id INTEGER); INSERT INTO t VALUES (1), (2), (3)");
        }
        using (var database = DuckDbDatabase.Open(path, new DuckDbDatabaseOptions { ReadOnly = true }))
        using (var connection = database.Connect())
        {
            Assert.Equal(6L, connection.ExecuteScalar<long>("SELECT sum(id) FROM t"));
            var error = Assert.Throws<DuckDbException>(() => connection.ExecuteNonQuery("INSERT INTO t VALUES (4)"));
            Assert.Contains("read-only", error.Message, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Query_AllScalarTypes_RoundTrip()
    {
        _connection.ExecuteNonQuery("""
            CREATE TABLE types (
                b BOOLEAN, i8 TINYINT, i16 SMALLINT, i32 INTEGER, i64 BIGINT, u8 UTINYINT, u16 USMALLINT, u32 UINTEGER, u64 UBIGINT,
                h HUGEINT, uh UHUGEINT, f FLOAT, d DOUBLE, dec4 DECIMAL(4,1), dec9 DECIMAL(9,3), dec18 DECIMAL(18,4), dec38 DECIMAL(38,10),
                s VARCHAR, bl BLOB, dt DATE, tm TIME, ts TIMESTAMP, tstz TIMESTAMPTZ, iv INTERVAL, id UUID)
            """);
        var guid = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        var timestamp = new DateTime(2026, 11, 21, 13, 45, 12, 345, DateTimeKind.Unspecified).AddTicks(6780);
        var instant = new DateTimeOffset(2026, 11, 21, 23, 59, 59, TimeSpan.FromHours(2)).AddTicks(10);
        var text = "héllo, wörld — a string longer than twelve bytes";
        var blob = new byte[] { 0, 1, 2, 255, 0, 7 };
        object?[] values =
        [
            true, (sbyte)-5, (short)-300, -70000, long.MinValue, (byte)250, (ushort)65000, uint.MaxValue, ulong.MaxValue,
            Int128.Parse("-170141183460469231731687303715884105727"), UInt128.MaxValue, 1.5f, Math.PI, -123.4m, 123456.789m,
            99999999999999.9999m, 1234567890123456.0123456789m, text, blob, new DateOnly(1969, 7, 20), new TimeOnly(23, 59, 58, 123, 456),
            timestamp, instant, new DuckDbInterval(14, 3, 4_000_001), guid,
        ];
        _connection.ExecuteNonQuery("INSERT INTO types VALUES (" + string.Join(", ", values.Select((_, i) => "$" + (i + 1))) + ")", values);

        using var result = _connection.Query("SELECT * FROM types");
        Assert.Equal(25, result.ColumnCount);
        Assert.Equal("dec38", result.GetName(16));
        Assert.Equal(DuckDbType.TimestampTz, result.GetColumnType(22));
        Assert.True(result.Read());
        Assert.True(result.GetBoolean(0));
        Assert.Equal(-5, result.GetSByte(1));
        Assert.Equal(-300, result.GetInt16(2));
        Assert.Equal(-70000, result.GetInt32(3));
        Assert.Equal(long.MinValue, result.GetInt64(4));
        Assert.Equal(250, result.GetByte(5));
        Assert.Equal(65000, result.GetUInt16(6));
        Assert.Equal(uint.MaxValue, result.GetUInt32(7));
        Assert.Equal(ulong.MaxValue, result.GetUInt64(8));
        Assert.Equal(values[9], result.GetInt128(9));
        Assert.Equal(UInt128.MaxValue, result.GetUInt128(10));
        Assert.Equal(1.5f, result.GetFloat(11));
        Assert.Equal(Math.PI, result.GetDouble(12));
        Assert.Equal(-123.4m, result.GetDecimal(13));
        Assert.Equal(123456.789m, result.GetDecimal(14));
        Assert.Equal(99999999999999.9999m, result.GetDecimal(15));
        Assert.Equal(1234567890123456.0123456789m, result.GetDecimal(16));
        Assert.Equal(text, result.GetString(17));
        Assert.Equal(blob, result.GetBlob(18));
        Assert.Equal(new DateOnly(1969, 7, 20), result.GetDate(19));
        Assert.Equal(new TimeOnly(23, 59, 58, 123, 456), result.GetTime(20));
        Assert.Equal(timestamp, result.GetDateTime(21));
        Assert.Equal(instant, result.GetDateTimeOffset(22));
        Assert.Equal(DateTimeKind.Utc, result.GetDateTime(22).Kind);
        Assert.Equal(new DuckDbInterval(14, 3, 4_000_001), result.GetInterval(23));
        Assert.Equal(guid, result.GetGuid(24));
        Assert.Equal(guid.ToString(), result.GetString(24));
        for (var i = 0; i < result.ColumnCount; i++)
        {
            Assert.False(result.IsNull(i));
            Assert.NotNull(result.GetValue(i));
        }
        Assert.False(result.Read());
    }

    [Fact]
    public void Query_Nulls_AreReportedAndGettersRefuse()
    {
        using var result = _connection.Query("SELECT NULL::INTEGER AS a, 'x' AS b UNION ALL SELECT 7, NULL ORDER BY a NULLS FIRST");
        Assert.True(result.Read());
        Assert.True(result.IsNull(0));
        Assert.False(result.IsNull(1));
        Assert.Null(result.GetValue(0));
        Assert.Null(result.GetFieldValue<int?>(0));
        var error = Assert.Throws<InvalidOperationException>(() => result.GetInt32(0));
        Assert.Contains("'a' is NULL", error.Message, StringComparison.Ordinal);
        Assert.True(result.Read());
        Assert.Equal(7, result.GetInt32(0));
        Assert.True(result.IsNull(1));
        Assert.False(result.Read());
    }

    [Fact]
    public void Query_ManyChunks_ReadsEveryRowOnce()
    {
        // 10,000 rows span several 2,048-row chunks.
        using var result = _connection.Query("SELECT i, 'row-' || i AS s, CASE WHEN i % 3 = 0 THEN NULL ELSE i * 2 END AS n FROM range(10000) t(i) ORDER BY i");
        long count = 0, sum = 0, nulls = 0;
        while (result.Read())
        {
            Assert.Equal(count, result.GetInt64(0));
            Assert.Equal("row-" + count, result.GetString(1));
            if (result.IsNull(2))
            {
                nulls++;
            }
            else
            {
                sum += result.GetInt64(2);
            }
            count++;
        }
        Assert.Equal(10000, count);
        Assert.Equal(3334, nulls);
        Assert.Equal(Enumerable.Range(0, 10000).Where(i => i % 3 != 0).Sum(i => 2L * i), sum);
    }

    [Fact]
    public void Query_Enum_ReadsLabels()
    {
        _connection.ExecuteNonQuery("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE moods (m mood); INSERT INTO moods VALUES ('happy'), ('sad')");
        using var result = _connection.Query("SELECT m FROM moods");
        Assert.True(result.Read());
        Assert.Equal("happy", result.GetString(0));
        Assert.True(result.Read());
        Assert.Equal("sad", result.GetValue(0));
    }

    [Fact]
    public void Query_ListColumn_RefusedWithCastHint()
    {
        using var result = _connection.Query("SELECT [1, 2] AS l");
        Assert.True(result.Read());
        var error = Assert.Throws<InvalidCastException>(() => result.GetValue(0));
        Assert.Contains("CAST", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_WideningGetters_Convert()
    {
        using var result = _connection.Query("SELECT 42::TINYINT, 3.25::DECIMAL(5,2), DATE '2024-02-29', 7::HUGEINT");
        Assert.True(result.Read());
        Assert.Equal(42L, result.GetInt64(0));
        Assert.Equal(42.0, result.GetDouble(0));
        Assert.Equal(3.25, result.GetDouble(1));
        Assert.Equal(new DateTime(2024, 2, 29), result.GetDateTime(2));
        Assert.Equal(7L, result.GetInt64(3));
        Assert.Throws<InvalidCastException>(() => result.GetString(0));
    }

    [Fact]
    public void Query_InfiniteTimestamp_ThrowsOverflowNotGarbage()
    {
        using var result = _connection.Query("SELECT 'infinity'::TIMESTAMP");
        Assert.True(result.Read());
        Assert.Throws<OverflowException>(() => result.GetDateTime(0));
    }

    [Fact]
    public void Parameters_InjectionLookingStrings_StayValues()
    {
        _connection.ExecuteNonQuery("CREATE TABLE users (name VARCHAR)");
        string[] hostile = ["'); DROP TABLE users; --", "Robert'); DELETE FROM users WHERE ('1'='1", "\" OR 1=1 --", "$1", "?", "emoji 🧾 and\nnewline", ""];
        foreach (var name in hostile)
        {
            Assert.Equal(1, _connection.ExecuteNonQuery("INSERT INTO users VALUES ($1)", name));
        }
        Assert.Equal(hostile.Length, _connection.ExecuteScalar<long>("SELECT count(*) FROM users"));
        foreach (var name in hostile)
        {
            Assert.Equal(1L, _connection.ExecuteScalar<long>("SELECT count(*) FROM users WHERE name = ?", name));
        }
    }

    [Fact]
    public void Prepare_ReusedWithNamedParameters_ReturnsEachBinding()
    {
        _connection.ExecuteNonQuery("CREATE TABLE prices AS SELECT i AS id, i * 1.5 AS price FROM range(100) t(i)");
        using var statement = _connection.Prepare("SELECT count(*) FROM prices WHERE id >= $low AND price < $high");
        Assert.Equal(2, statement.ParameterCount);
        statement.Bind("low", 10).Bind("high", 30.0);
        Assert.Equal(10L, statement.ExecuteScalar<long>());
        statement.Bind("low", 0);
        Assert.Equal(20L, statement.ExecuteScalar<long>());
        Assert.Throws<ArgumentException>(() => statement.Bind("nope", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => statement.Bind(3, 1));
    }

    [Fact]
    public void Prepare_NullAndDbNull_BindAsNull()
    {
        Assert.True(_connection.ExecuteScalar<bool>("SELECT $1 IS NULL AND $2 IS NULL", null, DBNull.Value));
    }

    [Fact]
    public void Errors_SyntaxError_CarriesDuckDbMessage()
    {
        var error = Assert.Throws<DuckDbException>(() => _connection.ExecuteNonQuery("SELEC 1"));
        Assert.Equal("query", error.Operation);
        Assert.Contains("syntax error", error.DuckDbMessage, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("SELEC", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_MissingTableInPrepare_CarriesDuckDbMessage()
    {
        var error = Assert.Throws<DuckDbException>(() => _connection.Prepare("SELECT * FROM no_such_table WHERE x = $1"));
        Assert.Equal("prepare", error.Operation);
        Assert.Contains("no_such_table", error.DuckDbMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_ConstraintViolation_CarriesDuckDbMessageAndConnectionStaysUsable()
    {
        _connection.ExecuteNonQuery("CREATE TABLE k (id INTEGER PRIMARY KEY)");
        _connection.ExecuteNonQuery("INSERT INTO k VALUES (1)");
        var error = Assert.Throws<DuckDbException>(() => _connection.ExecuteNonQuery("INSERT INTO k VALUES ($1)", 1));
        Assert.Contains("Duplicate key", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1L, _connection.ExecuteScalar<long>("SELECT count(*) FROM k"));
    }

    [Fact]
    public void Errors_ConversionAtRuntime_CarriesDuckDbMessage()
    {
        var error = Assert.Throws<DuckDbException>(() => _connection.ExecuteScalar<int>("SELECT CAST($1 AS INTEGER)", "not a number"));
        Assert.Contains("not a number", error.DuckDbMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ExecuteNonQuery_RowsChanged_Counted()
    {
        _connection.ExecuteNonQuery("CREATE TABLE r AS SELECT * FROM range(10) t(i)");
        Assert.Equal(4, _connection.ExecuteNonQuery("DELETE FROM r WHERE i < $1", 4));
    }

    [Fact]
    public void Dispose_ConnectionThenUse_ThrowsObjectDisposed()
    {
        var connection = _database.Connect();
        connection.Dispose();
        Assert.Throws<ObjectDisposedException>(() => connection.Query("SELECT 1"));
    }

    [Fact]
    public void Dispose_DatabaseBeforeConnection_ConnectionStillWorksUntilDisposed()
    {
        var database = DuckDbDatabase.Open();
        using var connection = database.Connect();
        database.Dispose();
        Assert.Equal(1, connection.ExecuteScalar<int>("SELECT 1"));
    }

    [Fact]
    public void Interrupt_LongQuery_FailsWithInterrupted()
    {
        using var started = new ManualResetEventSlim();
        var query = Task.Run(() =>
        {
            started.Set();
            return _connection.ExecuteScalar<long>("SELECT count(*) FROM range(100000000000) a");
        });
        started.Wait();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!query.IsCompleted && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
            _connection.Interrupt();
        }
        var error = Assert.Throws<AggregateException>(() => query.Wait(TimeSpan.FromSeconds(20)));
        Assert.Contains("Interrupt", Assert.IsType<DuckDbException>(error.InnerException).Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Query_Concurrently_OnOneConnection_IsDetected()
    {
        using var started = new ManualResetEventSlim();
        var query = Task.Run(() =>
        {
            started.Set();
            return _connection.ExecuteScalar<long>("SELECT count(*) FROM range(100000000000) a");
        });
        started.Wait();
        InvalidOperationException? error = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (error is null && DateTime.UtcNow < deadline)
        {
            try
            {
                _connection.Query("SELECT 1").Dispose();
                Thread.Sleep(5);
            }
            catch (InvalidOperationException e)
            {
                error = e;
            }
        }
        _connection.Interrupt();
        Assert.ThrowsAny<Exception>(() => query.Wait(TimeSpan.FromSeconds(20)));
        Assert.NotNull(error);
        Assert.Contains("one connection per thread", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Strings_InlinedAndPointerForms_AndUtf8()
    {
        string[] values = ["", "a", "exactly12byt", "thirteen byte", new string('x', 5000), "ünïcödé ✓"];
        foreach (var value in values)
        {
            Assert.Equal(value, _connection.ExecuteScalar<string>("SELECT $1::VARCHAR", value));
            Assert.Equal(Encoding.UTF8.GetByteCount(value), _connection.ExecuteScalar<long>("SELECT strlen($1::VARCHAR)", value));
        }
    }

    [Fact]
    public void CancelOn_TokenFires_LongQueryThrowsOperationCanceledAndConnectionRecovers()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        OperationCanceledException error;
        using (_connection.CancelOn(cts.Token))
        {
            error = Assert.Throws<OperationCanceledException>(() => _connection.ExecuteScalar<long>("SELECT count(*) FROM range(100000000000) a"));
        }
        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.IsType<DuckDbException>(error.InnerException);
        Assert.Equal(1, _connection.ExecuteScalar<int>("SELECT 1"));
    }

    [Fact]
    public void CancelOn_ScopeDisposed_LaterFailuresAreDuckDbErrors()
    {
        using var cts = new CancellationTokenSource();
        using (_connection.CancelOn(cts.Token))
        {
            Assert.Equal(2, _connection.ExecuteScalar<int>("SELECT 2"));
        }
        cts.Cancel();
        Assert.Throws<DuckDbException>(() => _connection.ExecuteNonQuery("SELEC 1"));
    }

    [Fact]
    public void QueryStreaming_LargeResult_ReadsAllRowsAndReservesConnection()
    {
        long count = 0, sum = 0;
        using (var result = _connection.QueryStreaming("SELECT i FROM range($1) t(i)", 1_000_000))
        {
            Assert.Equal("i", result.GetName(0));
            var error = Assert.Throws<InvalidOperationException>(() => _connection.Query("SELECT 1"));
            Assert.Contains("streaming result is open", error.Message, StringComparison.Ordinal);
            while (result.Read())
            {
                sum += result.GetInt64(0);
                count++;
            }
            Assert.False(result.Read());
        }
        Assert.Equal(1_000_000, count);
        Assert.Equal(499_999_500_000, sum);
        Assert.Equal(1, _connection.ExecuteScalar<int>("SELECT 1"));
    }

    [Fact]
    public void QueryStreaming_DisposedEarly_ReleasesConnection()
    {
        using (var result = _connection.QueryStreaming("SELECT i FROM range(10000000) t(i)"))
        {
            Assert.True(result.Read());
            Assert.Equal(0L, result.GetInt64(0));
        }
        Assert.Equal(3L, _connection.ExecuteScalar<long>("SELECT 3"));
    }

    [Fact]
    public void QueryStreaming_ErrorWhileProducingRows_ThrowsInsteadOfEndingQuietly()
    {
        using var result = _connection.QueryStreaming(
            "SELECT CAST(CASE WHEN i = 600000 THEN 'not a number' ELSE CAST(i AS VARCHAR) END AS INTEGER) AS v FROM range(1000000) t(i)");
        long read = 0;
        var error = Assert.Throws<DuckDbException>(() =>
        {
            while (result.Read())
            {
                read++;
            }
        });
        Assert.Contains("not a number", error.DuckDbMessage, StringComparison.Ordinal);
        Assert.True(read < 1_000_000);
    }

    [Fact]
    public void Query_DecimalBeyondSystemDecimal_OverflowsWithHintButReadsAsDouble()
    {
        using var result = _connection.Query("SELECT 1.5::DECIMAL(38,30), 12345678901234567890123456789012.5::DECIMAL(38,1)");
        Assert.True(result.Read());
        var error = Assert.Throws<OverflowException>(() => result.GetDecimal(0));
        Assert.Contains("CAST", error.Message, StringComparison.Ordinal);
        Assert.Equal(1.5, result.GetDouble(0), 12);
        Assert.Throws<OverflowException>(() => result.GetDecimal(1));
        Assert.Equal(1.2345678901234568e31, result.GetDouble(1), 1e17);
    }

    [Fact]
    public void Query_JsonAndCastNested_ReadAsText()
    {
        using var result = _connection.Query("SELECT to_json({'store': 'S1', 'qty': 2}), CAST([1, 2, 3] AS VARCHAR)");
        Assert.True(result.Read());
        Assert.Equal("{\"store\":\"S1\",\"qty\":2}", result.GetString(0));
        Assert.Equal("[1, 2, 3]", result.GetString(1));
    }
}
