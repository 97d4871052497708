using System.Runtime.InteropServices;
using RetailEdge.DuckDb.Native;

namespace RetailEdge.DuckDb;

/// <summary>
/// A connection to a <see cref="DuckDbDatabase"/>: holds a transaction and session settings.
/// Not thread-safe: use it from one thread at a time (a second thread entering while a call runs
/// gets an <see cref="InvalidOperationException"/>); open one connection per thread or task.
/// Only <see cref="Interrupt"/> may be called from another thread.
/// </summary>
public sealed unsafe class DuckDbConnection : IDisposable
{
    private int _busy;
    private bool _streaming;
    private CancellationToken _cancellationToken;

    internal DuckDbConnection(DuckDbConnectionHandle handle)
    {
        Handle = handle;
    }

    internal DuckDbConnectionHandle Handle { get; }

    /// <summary>
    /// Runs SQL (one or more statements separated by ';' when there are no parameters; exactly one
    /// with parameters, bound to $1, $2… or ? in order) and returns the rows changed.
    /// </summary>
    public long ExecuteNonQuery(string sql, params ReadOnlySpan<object?> parameters)
    {
        using var result = Query(sql, parameters);
        return result.RowsChanged;
    }

    /// <summary>Runs a query and returns its (materialised) result; parameters as in <see cref="ExecuteNonQuery"/>.</summary>
    public DuckDbResult Query(string sql, params ReadOnlySpan<object?> parameters)
    {
        ArgumentNullException.ThrowIfNull(sql);
        if (parameters.Length > 0)
        {
            using var statement = Prepare(sql);
            for (var i = 0; i < parameters.Length; i++)
            {
                statement.Bind(i + 1, parameters[i]);
            }
            return statement.Query();
        }

        using var scope = Enter();
        var result = DuckDbResultHandle.Allocate();
        int state;
        using (var text = new Utf8Buffer(sql))
        {
            fixed (byte* pointer = &text.Reference)
            {
                state = NativeMethods.Query(Handle, pointer, result.Pointer);
            }
        }
        return DuckDbResult.Create(this, result, state, "query");
    }

    /// <summary>
    /// Runs one statement and streams its rows (see <see cref="DuckDbStatement.QueryStreaming()"/>):
    /// for results too large to hold in memory. The connection is reserved until the result is disposed.
    /// </summary>
    public DuckDbResult QueryStreaming(string sql, params ReadOnlySpan<object?> parameters)
    {
        var statement = Prepare(sql);
        try
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                statement.Bind(i + 1, parameters[i]);
            }
            return statement.QueryStreaming(owned: statement);
        }
        catch
        {
            statement.Dispose();
            throw;
        }
    }

    /// <summary>The first column of the first row, converted to <typeparamref name="T"/>; default when there is no row or it is NULL.</summary>
    public T? ExecuteScalar<T>(string sql, params ReadOnlySpan<object?> parameters)
    {
        using var result = Query(sql, parameters);
        return result.Read() && !result.IsNull(0) ? result.GetFieldValue<T>(0) : default;
    }

    /// <summary>Prepares one statement for repeated execution with bound parameters.</summary>
    public DuckDbStatement Prepare(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        using var scope = Enter();
        int state;
        IntPtr statement;
        using (var text = new Utf8Buffer(sql))
        {
            fixed (byte* pointer = &text.Reference)
            {
                state = NativeMethods.Prepare(Handle, pointer, out statement);
            }
        }
        if (state != 0)
        {
            // A failed prepare still allocates a statement that holds the error and must be destroyed.
            var message = statement == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(NativeMethods.PrepareError(statement));
            if (statement != IntPtr.Zero)
            {
                NativeMethods.DestroyPrepare(ref statement);
            }
            throw Failure(DuckDbException.From("prepare", message));
        }
        var handle = new DuckDbStatementHandle();
        handle.Initialize(statement, Handle);
        return new DuckDbStatement(this, handle);
    }

    /// <summary>An appender for fast bulk inserts into <paramref name="table"/> (schema optional).</summary>
    public DuckDbAppender CreateAppender(string table, string? schema = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        using var scope = Enter();
        var state = NativeMethods.AppenderCreate(Handle, schema, table, out var appender);
        if (state != 0)
        {
            var message = appender == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(NativeMethods.AppenderError(appender));
            if (appender != IntPtr.Zero)
            {
                _ = NativeMethods.AppenderDestroy(ref appender);
            }
            throw DuckDbException.From("create appender", message ?? $"table '{table}' not found");
        }
        var handle = new DuckDbAppenderHandle();
        handle.Initialize(appender, Handle);
        return new DuckDbAppender(handle);
    }

    /// <summary>
    /// Makes calls on this connection cancellable until the returned scope is disposed: when the
    /// token fires, the running statement is interrupted and fails with
    /// <see cref="OperationCanceledException"/> (DuckDB's calls are synchronous, so this is how a
    /// long COPY or query honours a host's stopping token).
    /// </summary>
    public DuckDbCancellationScope CancelOn(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
        _cancellationToken = cancellationToken;
        var registration = cancellationToken.Register(static state => ((DuckDbConnection)state!).Interrupt(), this);
        return new DuckDbCancellationScope(this, registration);
    }

    /// <summary>Asks the running query to stop (it then fails with an "Interrupted" error). Thread-safe.</summary>
    public void Interrupt()
    {
        if (!Handle.IsClosed)
        {
            NativeMethods.Interrupt(Handle);
        }
    }

    public void Dispose() => Handle.Dispose();

    /// <summary>Marks the connection busy for one call; detects use from two threads at once.</summary>
    internal BusyScope Enter()
    {
        ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
        if (Volatile.Read(ref _streaming))
        {
            throw new InvalidOperationException("A streaming result is open on this DuckDbConnection; dispose it before running anything else on the connection.");
        }
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            throw new InvalidOperationException("DuckDbConnection is already in use by another thread; open one connection per thread.");
        }
        return new BusyScope(this);
    }

    /// <summary>Turns a DuckDB failure into a cancellation when the token given to <see cref="CancelOn"/> fired.</summary>
    internal Exception Failure(DuckDbException error) =>
        _cancellationToken.IsCancellationRequested ? new OperationCanceledException("The DuckDB statement was cancelled.", error, _cancellationToken) : error;

    internal void SetStreaming(bool streaming) => Volatile.Write(ref _streaming, streaming);

    internal void ClearCancellation() => _cancellationToken = CancellationToken.None;

    internal readonly ref struct BusyScope
    {
        private readonly DuckDbConnection _connection;

        public BusyScope(DuckDbConnection connection)
        {
            _connection = connection;
        }

        public void Dispose() => Volatile.Write(ref _connection._busy, 0);
    }
}
