using System.Runtime.InteropServices;
using RetailEdge.DuckDb.Native;

namespace RetailEdge.DuckDb;

/// <summary>
/// An open DuckDB database (a file or in memory). Thread-safe: open one per file per process and
/// create a <see cref="DuckDbConnection"/> per thread or task. Disposing closes the database once
/// every connection made from it is disposed too.
/// </summary>
public sealed class DuckDbDatabase : IDisposable
{
    /// <summary>The path that opens a private in-memory database.</summary>
    public const string InMemory = ":memory:";

    private readonly DuckDbDatabaseHandle _handle;

    private DuckDbDatabase(DuckDbDatabaseHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    /// <summary>The database file, or <see cref="InMemory"/>.</summary>
    public string Path { get; }

    /// <summary>Opens (creating when missing) a database file, or an in-memory database.</summary>
    /// <exception cref="DuckDbException">DuckDB refused (bad option, file locked by another process…).</exception>
    public static DuckDbDatabase Open(string path = InMemory, DuckDbDatabaseOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new DuckDbDatabaseOptions();
        options.Validate();
        DuckDbLibrary.EnsureLoaded();

        NativeMethods.CreateConfig(out var config);
        try
        {
            foreach (var (name, value) in options.ToConfig())
            {
                if (NativeMethods.SetConfig(config, name, value) != 0)
                {
                    throw DuckDbException.From("open", $"invalid configuration option {name}='{value}'");
                }
            }
            var handle = new DuckDbDatabaseHandle();
            if (NativeMethods.Open(path, out var database, config, out var error) != 0)
            {
                var message = Marshal.PtrToStringUTF8(error);
                if (error != IntPtr.Zero)
                {
                    NativeMethods.Free(error);
                }
                handle.Dispose();
                throw DuckDbException.From("open", message);
            }
            handle.Initialize(database, parent: null);
            return new DuckDbDatabase(handle, path);
        }
        finally
        {
            NativeMethods.DestroyConfig(ref config);
        }
    }

    /// <summary>A new connection; use it from one thread at a time.</summary>
    public DuckDbConnection Connect()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (NativeMethods.Connect(_handle, out var connection) != 0)
        {
            throw DuckDbException.From("connect", "could not connect to the database");
        }
        var handle = new DuckDbConnectionHandle();
        handle.Initialize(connection, _handle);
        return new DuckDbConnection(handle);
    }

    public void Dispose() => _handle.Dispose();
}
