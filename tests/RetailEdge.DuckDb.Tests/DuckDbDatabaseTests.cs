using RetailEdge.DuckDb;
using RetailEdge.Testing;

namespace RetailEdge.DuckDb.Tests;

public sealed class DuckDbDatabaseTests
{
    [Fact]
    public async Task Connect_OneConnectionPerThread_ParallelWritersAndReadersAgree()
    {
        using var directory = new TempDirectory("duckdb-parallel");
        using var database = DuckDbDatabase.Open(directory.Combine("parallel.duckdb"), new DuckDbDatabaseOptions { Threads = 2 });
        using (var setup = database.Connect())
        {
            setup.ExecuteNonQuery("CREATE TABLE shared (writer INTEGER, i INTEGER)");
        }
        var writers = Enumerable.Range(0, 4).Select(writer => Task.Run(() =>
        {
            using var connection = database.Connect();
            for (var batch = 0; batch < 5; batch++)
            {
                connection.ExecuteNonQuery("BEGIN TRANSACTION");
                using (var appender = connection.CreateAppender("shared"))
                {
                    for (var i = 0; i < 2000; i++)
                    {
                        appender.Append(writer).Append(batch * 2000 + i).EndRow();
                    }
                }
                connection.ExecuteNonQuery("COMMIT");
                // Readers on their own connection see whole committed batches only.
                var seen = connection.ExecuteScalar<long>("SELECT count(*) FROM shared WHERE writer = $1", writer);
                Assert.Equal((batch + 1) * 2000L, seen);
            }
        })).ToArray();
        await Task.WhenAll(writers);

        using var check = database.Connect();
        using var result = check.Query("SELECT writer, count(*), count(DISTINCT i) FROM shared GROUP BY writer ORDER BY writer");
        for (var writer = 0; writer < 4; writer++)
        {
            Assert.True(result.Read());
            Assert.Equal(writer, result.GetInt32(0));
            Assert.Equal(10_000L, result.GetInt64(1));
            Assert.Equal(10_000L, result.GetInt64(2));
        }
        Assert.False(result.Read());
    }

    [Fact]
    public void Handles_AbandonedWithoutDispose_AreReleasedByFinalizersSafely()
    {
        static void Abandon()
        {
            var database = DuckDbDatabase.Open();
            var connection = database.Connect();
            connection.ExecuteNonQuery("CREATE TABLE t AS SELECT * FROM range(5000) r(i)");
            var statement = connection.Prepare("SELECT i FROM t WHERE i > $1");
            statement.Bind(1, 10);
            var result = statement.Query();
            Assert.True(result.Read());
            var appender = connection.CreateAppender("t");
            appender.Append(1L).EndRow();
            // database disposed first on purpose: children keep the native database alive.
            database.Dispose();
            GC.KeepAlive(result);
        }

        for (var i = 0; i < 5; i++)
        {
            Abandon();
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        GC.WaitForPendingFinalizers();

        // The process is still healthy: a fresh database works.
        using var database = DuckDbDatabase.Open();
        using var connection = database.Connect();
        Assert.Equal(42, connection.ExecuteScalar<int>("SELECT 42"));
    }

    [Fact]
    public void Open_ReadOnlyMissingFile_SurfacesDuckDbMessage()
    {
        using var directory = new TempDirectory("duckdb-missing");
        var path = directory.Combine("missing.duckdb");
        var error = Assert.Throws<DuckDbException>(() => DuckDbDatabase.Open(path, new DuckDbDatabaseOptions { ReadOnly = true }));
        Assert.Equal("open", error.Operation);
        Assert.Contains("missing.duckdb", error.DuckDbMessage, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }
}
