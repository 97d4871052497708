using System.Text;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using RetailEdge.Delta.Storage;

namespace RetailEdge.Delta.Tests;

/// <summary>
/// What the lake relies on from DuckDB through the DuckDB.NET provider and our few extensions:
/// cancellation interrupts a running statement, parameters stay values, streaming readers see
/// every row and surface late errors, the appender stores the lake's CLR types exactly,
/// connections from one in-memory database see each other's commits, and the build carries one
/// native library.
/// </summary>
public sealed class DuckDbProviderTests : IDisposable
{
    private const string EndlessQuery = "SELECT count(*) FROM range(100000000000) a WHERE hash(a.range) % 7 = 3";

    private readonly DuckDBConnection _database = DuckDbConnectionExtensions.OpenInMemory(threads: 2);
    private readonly DuckDBConnection _connection;

    public DuckDbProviderTests()
    {
        _connection = _database.Connect();
    }

    public void Dispose()
    {
        _connection.Dispose();
        _database.Dispose();
    }

    [Fact]
    public void Provider_Loaded_IsPinnedEngineWithSettings()
    {
        Assert.Equal("v1.5.6", _connection.ServerVersion);
        Assert.Equal(2L, _connection.Scalar<long>("SELECT current_setting('threads')"));
        Assert.Throws<ArgumentOutOfRangeException>(() => DuckDbConnectionExtensions.OpenInMemory(threads: 0));
    }

    [Fact]
    public void Build_CarriesOnlyThisPlatformsNativeLibrary()
    {
        var runtimes = Path.Combine(AppContext.BaseDirectory, "runtimes");
        var withDuckDb = Directory.GetDirectories(runtimes)
            .Where(d => Directory.EnumerateFiles(d, "*duckdb*", SearchOption.AllDirectories).Any())
            .Select(Path.GetFileName)
            .ToList();
        var expected = OperatingSystem.IsMacOS() ? "osx"
            : (OperatingSystem.IsWindows() ? "win-" : "linux-") + System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();
        Assert.Equal([expected], withDuckDb);
    }

    [Fact]
    public void Execute_TokenFires_LongQueryThrowsOperationCanceledAndConnectionRecovers()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        Assert.ThrowsAny<OperationCanceledException>(() => _connection.Scalar<long>(EndlessQuery, cts.Token));
        Assert.Equal(1, _connection.Scalar<int>("SELECT 1"));
    }

    [Fact]
    public void Execute_TokenAlreadyCancelled_RunsNothing()
    {
        _connection.Execute("CREATE TABLE t (i INTEGER)");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => _connection.Execute("INSERT INTO t VALUES (1)", cts.Token));
        Assert.Equal(0L, _connection.Scalar<long>("SELECT count(*) FROM t"));
    }

    [Fact]
    public void Execute_TokenNotFired_FailuresStayDuckDbErrors()
    {
        using var cts = new CancellationTokenSource();
        Assert.Equal(2, _connection.Scalar<int>("SELECT 2", cts.Token));
        var error = Assert.Throws<DuckDBException>(() => _connection.Execute("SELEC 1", cts.Token));
        Assert.Contains("syntax error", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Parameters_InjectionLookingStrings_StayValues()
    {
        _connection.Execute("CREATE TABLE users (name VARCHAR)");
        string[] hostile = ["'); DROP TABLE users; --", "Robert'); DELETE FROM users WHERE ('1'='1", "\" OR 1=1 --", "$1", "?", "emoji 🧾 and\nnewline", ""];
        foreach (var name in hostile)
        {
            Assert.Equal(1, _connection.Execute("INSERT INTO users VALUES ($1)", default, name));
        }
        Assert.Equal(hostile.Length, _connection.Scalar<long>("SELECT count(*) FROM users"));
        foreach (var name in hostile)
        {
            Assert.Equal(1L, _connection.Scalar<long>("SELECT count(*) FROM users WHERE name = ?", default, name));
            Assert.Equal(Encoding.UTF8.GetByteCount(name), _connection.Scalar<long>("SELECT strlen($1::VARCHAR)", default, name));
        }
        Assert.Null(_connection.Scalar<string>("SELECT $1::VARCHAR", default, [null]));
    }

    [Fact]
    public void Command_ReusedWithNewParameterValues_EveryExecutionStoresItsOwnRow()
    {
        _connection.Execute("CREATE TABLE reused (id BIGINT, label VARCHAR, qty INTEGER)");
        const int Executions = 2_000;
        using (var insert = _connection.Command("INSERT INTO reused VALUES ($1, $2, $3)", 0L, string.Empty, 0))
        {
            insert.Prepare();
            for (var i = 0; i < Executions; i++)
            {
                insert.Parameters[0].Value = (long)i;
                insert.Parameters[1].Value = i % 10 == 0 ? DBNull.Value : $"label-{i}";
                insert.Parameters[2].Value = i % 7;
                Assert.Equal(1, insert.ExecuteNonQuery());
            }
        }
        AssertSameRows("reused", $"SELECT i, CASE WHEN i % 10 = 0 THEN NULL ELSE 'label-' || i END, CAST(i % 7 AS INTEGER) FROM range({Executions}) t(i)", Executions);
    }

    [Fact]
    public void PreparedStatement_PreparedOnceBoundPerRow_StoresEveryRowAndSurvivesAFailedExecution()
    {
        // DuckDBCommand prepares its text on every execution; the package's bindings keep one
        // statement prepared, which is what the duckdb benchmark's prepared-once step measures.
        _connection.Execute("CREATE TABLE prepared_once (id BIGINT PRIMARY KEY, label VARCHAR)");
        const int Executions = 10_000;
        _connection.Execute("BEGIN TRANSACTION");
        Assert.Equal(DuckDBState.Success, NativeMethods.PreparedStatements.DuckDBPrepare(
            _connection.NativeConnection, "INSERT INTO prepared_once VALUES ($1, $2)", out var statement));
        using (statement)
        {
            Assert.Equal(2L, NativeMethods.PreparedStatements.DuckDBParams(statement));
            for (var i = 0; i < Executions; i++)
            {
                Assert.Equal(DuckDBState.Success, NativeMethods.PreparedStatements.DuckDBBindInt64(statement, 1, i));
                Assert.Equal(DuckDBState.Success, NativeMethods.PreparedStatements.DuckDBBindVarchar(statement, 2, $"label-{i}"));
                Assert.Equal(1L, ExecuteCountingRows(statement));
            }
            _connection.Execute("COMMIT");

            // a duplicate key fails that execution only; the statement stays prepared for the next row
            NativeMethods.PreparedStatements.DuckDBBindInt64(statement, 1, 0);
            NativeMethods.PreparedStatements.DuckDBBindVarchar(statement, 2, "duplicate");
            Assert.Equal(-1L, ExecuteCountingRows(statement));
            NativeMethods.PreparedStatements.DuckDBBindInt64(statement, 1, Executions);
            NativeMethods.PreparedStatements.DuckDBBindVarchar(statement, 2, $"label-{Executions}");
            Assert.Equal(1L, ExecuteCountingRows(statement));
        }
        AssertSameRows("prepared_once", $"SELECT i, 'label-' || i FROM range({Executions + 1}) t(i)", Executions + 1);
    }

    /// <summary>Rows changed by one execution of a prepared statement, or -1 when it failed.</summary>
    private static long ExecuteCountingRows(DuckDBPreparedStatement statement)
    {
        var state = NativeMethods.PreparedStatements.DuckDBExecutePrepared(statement, out var result);
        try
        {
            return state == DuckDBState.Success ? NativeMethods.Query.DuckDBRowsChanged(ref result) : -1;
        }
        finally
        {
            result.Close();
        }
    }

    /// <summary>The table holds exactly the rows of <paramref name="expectedSql"/>, each as often, and <paramref name="count"/> of them.</summary>
    private void AssertSameRows(string table, string expectedSql, long count)
    {
        Assert.Equal(count, _connection.Scalar<long>($"SELECT count(*) FROM {table}"));
        Assert.Equal(0L, _connection.Scalar<long>($"SELECT count(*) FROM (SELECT * FROM {table} EXCEPT ALL {expectedSql})"));
        Assert.Equal(0L, _connection.Scalar<long>($"SELECT count(*) FROM ({expectedSql} EXCEPT ALL SELECT * FROM {table})"));
    }

    [Fact]
    public void QueryStreaming_LargeResult_ReadsEveryRowOnce()
    {
        long count = 0, sum = 0;
        using (var reader = _connection.Query("SELECT i FROM range($1) t(i)", default, streaming: true, 1_000_000))
        {
            Assert.Equal("i", reader.GetName(0));
            while (reader.Read())
            {
                sum += reader.GetInt64(0);
                count++;
            }
        }
        Assert.Equal(1_000_000, count);
        Assert.Equal(499_999_500_000, sum);
        Assert.Equal(1, _connection.Scalar<int>("SELECT 1"));
    }

    [Fact]
    public void QueryStreaming_DisposedEarly_ReleasesConnection()
    {
        using (var reader = _connection.Query("SELECT i FROM range(10000000) t(i)", default, streaming: true))
        {
            Assert.True(reader.Read());
            Assert.Equal(0L, reader.GetInt64(0));
        }
        Assert.Equal(3L, _connection.Scalar<long>("SELECT 3"));
    }

    [Fact]
    public void QueryStreaming_ErrorWhileProducingRows_ThrowsInsteadOfEndingQuietly()
    {
        // One worker: with two, the failing pipeline task interrupts its sibling and DuckDB may
        // report that interruption (OperationCanceledException) instead of the conversion error.
        _connection.Execute("SET threads = 1");
        using var reader = _connection.Query(
            "SELECT CAST(CASE WHEN i = 600000 THEN 'not a number' ELSE CAST(i AS VARCHAR) END AS INTEGER) AS v FROM range(1000000) t(i)",
            default, streaming: true);
        long read = 0;
        var error = Assert.Throws<DuckDBException>(() =>
        {
            while (reader.Read())
            {
                read++;
            }
        });
        Assert.Contains("not a number", error.Message, StringComparison.Ordinal);
        Assert.True(read < 1_000_000);
    }

    [Fact]
    public void QueryStreaming_TokenFiresWhileReading_Interrupts()
    {
        using var cts = new CancellationTokenSource();
        using var reader = _connection.Query("SELECT i FROM range(100000000000) t(i) WHERE hash(i) % 1000 = 1", cts.Token, streaming: true);
        Assert.True(reader.Read());
        cts.Cancel();
        Assert.ThrowsAny<Exception>(() =>
        {
            while (reader.Read())
            {
            }
        });
    }

    [Fact]
    public void QueryStreaming_TokenFiresAfterConnectionClosed_DoesNotThrow()
    {
        using var cts = new CancellationTokenSource();
        using (var connection = _database.Connect())
        using (var reader = connection.Query("SELECT i FROM range(10) t(i)", cts.Token, streaming: true))
        {
            Assert.True(reader.Read());
        }
        cts.Cancel();
        Assert.Equal(1, _connection.Scalar<int>("SELECT 1"));
    }

    [Fact]
    public void AppendObject_LakeTypes_RoundTripExactly()
    {
        _connection.Execute("SET TimeZone = 'UTC'");
        _connection.Execute("""
            CREATE TABLE all_types (s VARCHAR, b BOOLEAN, i INTEGER, l BIGINT, d DOUBLE, m DECIMAL(18,2), q DECIMAL(18,3),
                day DATE, ts TIMESTAMPTZ, bytes BLOB, n VARCHAR)
            """);
        var instant = new DateTimeOffset(2026, 11, 2, 9, 30, 15, 123, TimeSpan.FromHours(-5));
        object?[] values = ["ünïcödé ✓", true, -42, long.MaxValue, 0.25, 12345678901234.56m, -0.125m, new DateOnly(2026, 11, 2), instant, new byte[] { 0, 1, 255 }, null];
        using (var appender = _connection.CreateAppender("all_types"))
        {
            var row = appender.CreateRow();
            foreach (var value in values)
            {
                row.AppendObject(value);
            }
            row.EndRow();
        }
        using var reader = _connection.Query("SELECT * FROM all_types");
        Assert.True(reader.Read());
        Assert.Equal("ünïcödé ✓", reader.GetString(0));
        Assert.True(reader.GetBoolean(1));
        Assert.Equal(-42, reader.GetInt32(2));
        Assert.Equal(long.MaxValue, reader.GetInt64(3));
        Assert.Equal(0.25, reader.GetDouble(4));
        Assert.Equal(12345678901234.56m, reader.GetDecimal(5));
        Assert.Equal(-0.125m, reader.GetDecimal(6));
        Assert.Equal(new DateOnly(2026, 11, 2), reader.GetFieldValue<DateOnly>(7));
        // an instant, whatever offset it was given in
        Assert.Equal(instant.UtcDateTime, reader.GetFieldValue<DateTimeOffset>(8).UtcDateTime);
        Assert.Equal([0, 1, 255], reader.GetBlob(9));
        Assert.True(reader.IsDBNull(10));
        Assert.False(reader.Read());
    }

    [Fact]
    public void AppendObject_UnmappedType_FailsNamingTheType()
    {
        _connection.Execute("CREATE TABLE one (v VARCHAR)");
        using var appender = _connection.CreateAppender("one");
        var error = Assert.Throws<ArgumentException>(() => appender.CreateRow().AppendObject(new Uri("http://127.0.0.1/")));
        Assert.Contains("System.Uri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_OneConnectionPerThread_ParallelWritersAndReadersAgree()
    {
        _connection.Execute("CREATE TABLE shared (writer INTEGER, i INTEGER)");
        var writers = Enumerable.Range(0, 4).Select(writer => Task.Run(() =>
        {
            using var connection = _database.Connect();
            for (var batch = 0; batch < 5; batch++)
            {
                connection.Execute("BEGIN TRANSACTION");
                using (var appender = connection.CreateAppender("shared"))
                {
                    for (var i = 0; i < 2000; i++)
                    {
                        appender.CreateRow().AppendValue(writer).AppendValue(batch * 2000 + i).EndRow();
                    }
                }
                connection.Execute("COMMIT");
                // every connection of the database sees whole committed batches only
                Assert.Equal((batch + 1) * 2000L, connection.Scalar<long>("SELECT count(*) FROM shared WHERE writer = $1", default, writer));
            }
        })).ToArray();
        await Task.WhenAll(writers);

        using var reader = _connection.Query("SELECT writer, count(*), count(DISTINCT i) FROM shared GROUP BY writer ORDER BY writer");
        for (var writer = 0; writer < 4; writer++)
        {
            Assert.True(reader.Read());
            Assert.Equal(writer, reader.GetInt32(0));
            Assert.Equal(10_000L, reader.GetInt64(1));
            Assert.Equal(10_000L, reader.GetInt64(2));
        }
        Assert.False(reader.Read());
    }

    [Fact]
    public void Connect_SeparateDatabases_DoNotShareTables()
    {
        _connection.Execute("CREATE TABLE mine (i INTEGER)");
        using var other = DuckDbConnectionExtensions.OpenInMemory();
        Assert.Equal(0L, other.Scalar<long>("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'mine'"));
        using var sibling = _database.Connect();
        Assert.Equal(1L, sibling.Scalar<long>("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'mine'"));
    }

    [Fact]
    public void Quoting_HostileNamesAndValues_StayOneIdentifierAndOneLiteral()
    {
        var name = "weird \"; DROP TABLE sales; --";
        _connection.Execute("CREATE TABLE sales AS SELECT 1 AS x");
        _connection.Execute($"CREATE TABLE {DuckDbSql.Identifier(name)} AS SELECT 1 AS {DuckDbSql.Identifier("a\"b")}");
        Assert.Equal(1, _connection.Scalar<int>($"SELECT {DuckDbSql.Identifier("a\"b")} FROM {DuckDbSql.Identifier(name)}"));
        Assert.Equal(1L, _connection.Scalar<long>("SELECT count(*) FROM sales"));
        var value = @"O'Brien \' ''; SELECT 1; --";
        Assert.Equal(value, _connection.Scalar<string>("SELECT " + DuckDbSql.Literal(value)));
        Assert.Throws<ArgumentException>(() => DuckDbSql.Literal("nul\0byte"));
    }
}
