using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using RetailEdge.Delta.Storage;

namespace RetailEdge.Benchmarks.DuckDb;

/// <summary>
/// DuckDB through the DuckDB.NET provider: throughput: appender rows/s, prepared-statement inserts (for the ratio),
/// Parquet (ZSTD) write rows/s flat and partitioned, and rows/s read through DuckDBDataReader.
/// Args: [rows, default 5000000] [threads, default 2].
/// </summary>
public sealed class DuckDbBenchmark : IBenchmark
{
    public string Name => "duckdb";

    public string Description => "DuckDB (DuckDB.NET provider): appender, prepared inserts, Parquet ZSTD write, typed reads (rows/s)";

    public Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5_000_000;
        var threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        var directory = Path.Combine(Path.GetTempPath(), "retailedge-duckdb-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            Run(rows, threads, directory, cancellationToken);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
        return Task.CompletedTask;
    }

    private static void Run(int rows, int threads, string directory, CancellationToken cancellationToken)
    {
        using var connection = DuckDbConnectionExtensions.OpenInMemory(threads);
        Console.WriteLine($"DuckDB {connection.ServerVersion} (DuckDB.NET), {rows:N0} rows, threads={threads}, {Environment.ProcessorCount} cores");
        connection.Execute("CREATE TABLE events (id BIGINT, store VARCHAR, qty INTEGER, amount DOUBLE, ts TIMESTAMP)");
        string[] stores = Enumerable.Range(1, 50).Select(i => $"store-{i:D4}").ToArray();
        var start = new DateTime(2026, 11, 1);

        var watch = new StepWatch();
        using (var appender = connection.CreateAppender("events"))
        {
            for (var i = 0; i < rows; i++)
            {
                if ((i & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
                appender.CreateRow().AppendValue((long)i).AppendValue(stores[i % stores.Length]).AppendValue(i % 7).AppendValue(i * 0.25)
                    .AppendValue(start.AddSeconds(i / 10)).EndRow();
            }
        }
        var append = watch.Elapsed;
        Report("appender (5 columns)", rows, watch);

        // Money columns: DECIMAL(18,2) from System.Decimal, boxed as the lake jobs append them.
        connection.Execute("CREATE TABLE money (amount DECIMAL(18,2), qty DECIMAL(18,3))");
        var decimalRows = Math.Min(rows, 1_000_000);
        watch.Restart();
        using (var appender = connection.CreateAppender("money"))
        {
            for (var i = 0; i < decimalRows; i++)
            {
                appender.CreateRow().AppendObject(i * 0.01m).AppendObject(i % 13 * 0.5m).EndRow();
            }
        }
        Report("appender DECIMAL(18,2)+DECIMAL(18,3), boxed", decimalRows, watch,
            $"sum {connection.Scalar<decimal>("SELECT sum(amount) FROM money")}");

        var preparedRows = Math.Min(rows, 50_000);
        connection.Execute("CREATE TABLE events_prepared AS SELECT * FROM events LIMIT 0");
        watch.Restart();
        connection.Execute("BEGIN TRANSACTION");
        using (var insert = connection.Command("INSERT INTO events_prepared VALUES ($1, $2, $3, $4, $5)", 0L, string.Empty, 0, 0.0, start))
        {
            for (var i = 0; i < preparedRows; i++)
            {
                insert.Parameters[0].Value = (long)i;
                insert.Parameters[1].Value = stores[i % stores.Length];
                insert.Parameters[2].Value = i % 7;
                insert.Parameters[3].Value = i * 0.25;
                insert.Parameters[4].Value = start.AddSeconds(i / 10);
                insert.ExecuteNonQuery();
            }
        }
        connection.Execute("COMMIT");
        var prepared = watch.Elapsed;
        Report("prepared INSERT, one transaction (DuckDBCommand)", preparedRows, watch);

        // DuckDBCommand prepares its text again on every execution (its Prepare() does nothing in
        // 1.5.6.1), so the same rows once more through the package's own prepared-statement calls:
        // prepared once, then only bound and executed, as the former binding did.
        connection.Execute("CREATE TABLE events_prepared_once AS SELECT * FROM events LIMIT 0");
        watch.Restart();
        connection.Execute("BEGIN TRANSACTION");
        using (var insert = new PreparedInsert(connection, "INSERT INTO events_prepared_once VALUES ($1, $2, $3, $4, $5)"))
        {
            for (var i = 0; i < preparedRows; i++)
            {
                insert.Execute((long)i, stores[i % stores.Length], i % 7, i * 0.25, start.AddSeconds(i / 10));
            }
        }
        connection.Execute("COMMIT");
        var preparedOnce = watch.Elapsed;
        Report("prepared once, bound per row, one transaction (bindings)", preparedRows, watch,
            connection.Scalar<long>("SELECT count(*) FROM (SELECT * FROM events_prepared EXCEPT ALL SELECT * FROM events_prepared_once)") == 0 ? "same rows" : "ROWS DIFFER");

        var file = Path.Combine(directory, "events.parquet");
        watch.Restart();
        connection.Execute($"COPY events TO {DuckDbSql.Literal(file)} (FORMAT parquet, COMPRESSION zstd)");
        var parquet = watch.Elapsed;
        Report("COPY TO parquet zstd", rows, watch, $"{new FileInfo(file).Length / 1024.0 / 1024.0:F1} MiB");

        var partitioned = Path.Combine(directory, "partitioned");
        watch.Restart();
        connection.Execute($"COPY (SELECT *, CAST(ts AS DATE) AS event_date FROM events) TO {DuckDbSql.Literal(partitioned)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (event_date))");
        Report("COPY TO parquet zstd PARTITION_BY day", rows, watch, $"{Directory.GetDirectories(partitioned).Length} partitions");

        watch.Restart();
        long sum = 0, count = 0;
        using (var result = connection.Query("SELECT id, store, qty, amount, ts FROM read_parquet($1)", cancellationToken, streaming: false, file))
        {
            while (result.Read())
            {
                sum += result.GetInt64(0) + result.GetString(1).Length + result.GetInt32(2) + (long)result.GetDouble(3) + result.GetDateTime(4).Ticks % 7;
                count++;
            }
        }
        Report("read_parquet through DuckDBDataReader (5 typed getters/row)", count, watch, $"checksum {sum}");

        Console.WriteLine();
        Console.WriteLine($"ratio appender / prepared insert (rows/s): {Rate(rows, append) / Rate(preparedRows, prepared):F0}x");
        Console.WriteLine($"ratio parquet write / appender (rows/s):    {Rate(rows, parquet) / Rate(rows, append):F1}x");
        Console.WriteLine($"ratio prepared once / DuckDBCommand (rows/s): {Rate(preparedRows, preparedOnce) / Rate(preparedRows, prepared):F1}x");
    }

    /// <summary>
    /// One INSERT prepared once through DuckDB.NET.Bindings (duckdb_prepare), then bound and
    /// executed per row; the rows join the connection's open transaction.
    /// </summary>
    private sealed class PreparedInsert : IDisposable
    {
        private readonly DuckDBPreparedStatement _statement;

        public PreparedInsert(DuckDBConnection connection, string sql)
        {
            if (NativeMethods.PreparedStatements.DuckDBPrepare(connection.NativeConnection, sql, out _statement) != DuckDBState.Success)
            {
                var error = NativeMethods.PreparedStatements.DuckDBPrepareError(_statement);
                _statement.Dispose();
                throw new InvalidOperationException(error);
            }
        }

        public void Execute(long id, string store, int qty, double amount, DateTime ts)
        {
            Check(NativeMethods.PreparedStatements.DuckDBBindInt64(_statement, 1, id));
            Check(NativeMethods.PreparedStatements.DuckDBBindVarchar(_statement, 2, store));
            Check(NativeMethods.PreparedStatements.DuckDBBindInt32(_statement, 3, qty));
            Check(NativeMethods.PreparedStatements.DuckDBBindDouble(_statement, 4, amount));
            Check(NativeMethods.PreparedStatements.DuckDBBindTimestamp(_statement, 5,
                new DuckDBTimestampStruct { Micros = (ts - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond }));
            var state = NativeMethods.PreparedStatements.DuckDBExecutePrepared(_statement, out var result);
            try
            {
                if (state != DuckDBState.Success)
                {
                    throw new InvalidOperationException(NativeMethods.Query.DuckDBResultError(ref result));
                }
            }
            finally
            {
                result.Close();
            }
        }

        public void Dispose() => _statement.Dispose();

        private void Check(DuckDBState state)
        {
            if (state != DuckDBState.Success)
            {
                throw new InvalidOperationException(NativeMethods.PreparedStatements.DuckDBPrepareError(_statement));
            }
        }
    }

    private static double Rate(long rows, TimeSpan elapsed) => rows / Math.Max(elapsed.TotalSeconds, 1e-9);

    /// <summary>Wall time and, because the machine may be shared, this process's CPU time for the step.</summary>
    private static void Report(string what, long rows, StepWatch watch, string extra = "") =>
        Console.WriteLine($"{what,-56} {rows,10:N0} rows {watch.Elapsed.TotalSeconds,7:F2} s wall {Rate(rows, watch.Elapsed),11:N0} rows/s | {watch.Cpu.TotalSeconds,6:F2} s cpu {extra}");

    /// <summary>Wall clock and process CPU time since the last restart.</summary>
    private sealed class StepWatch
    {
        private readonly Stopwatch _wall = Stopwatch.StartNew();
        private TimeSpan _cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        private TimeSpan? _elapsed;
        private TimeSpan _cpu;

        public TimeSpan Elapsed
        {
            get
            {
                Stop();
                return _elapsed!.Value;
            }
        }

        public TimeSpan Cpu
        {
            get
            {
                Stop();
                return _cpu;
            }
        }

        public void Restart()
        {
            _elapsed = null;
            _cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            _wall.Restart();
        }

        private void Stop()
        {
            if (_elapsed is null)
            {
                _elapsed = _wall.Elapsed;
                _cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpuStart;
            }
        }
    }
}
