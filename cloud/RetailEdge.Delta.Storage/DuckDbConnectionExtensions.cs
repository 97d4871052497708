using System.Data;
using DuckDB.NET.Data;

namespace RetailEdge.Delta.Storage;

/// <summary>
/// The few calls every DuckDB user in the lake repeats, on DuckDB.NET's own connection: run SQL
/// with bound parameters and a cancellation token (the token interrupts the running statement
/// through <see cref="DuckDBCommand.Cancel"/>, so a long COPY honours a host's stopping token),
/// read one value, open an in-memory database and more connections to it.
/// </summary>
public static class DuckDbConnectionExtensions
{
    /// <summary>
    /// Opens a private in-memory database. <paramref name="threads"/> bounds DuckDB's workers
    /// (null: all cores). Further connections to the same database come from <see cref="Connect"/>.
    /// </summary>
    public static DuckDBConnection OpenInMemory(int? threads = null)
    {
        if (threads is < 1 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "DuckDB threads must be between 1 and 1024.");
        }
        var builder = new DuckDBConnectionStringBuilder { DataSource = ":memory:" };
        if (threads is { } count)
        {
            builder.Threads = count;
        }
        var connection = new DuckDBConnection(builder.ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>An open connection to the same database as <paramref name="database"/>; use it from one thread at a time.</summary>
    public static DuckDBConnection Connect(this DuckDBConnection database)
    {
        ArgumentNullException.ThrowIfNull(database);
        var connection = database.Duplicate();
        connection.Open();
        return connection;
    }

    /// <summary>Runs one or more statements (parameters bind to $1, $2… of a single statement); returns the rows changed.</summary>
    public static int Execute(this DuckDBConnection connection, string sql, CancellationToken cancellationToken = default, params object?[] parameters)
    {
        using var command = connection.Command(sql, parameters);
        using var registration = Interrupts(command, cancellationToken);
        return command.ExecuteNonQuery();
    }

    /// <summary>The first column of the first row as <typeparamref name="T"/>; default when there is no row or it is NULL.</summary>
    public static T? Scalar<T>(this DuckDBConnection connection, string sql, CancellationToken cancellationToken = default, params object?[] parameters)
    {
        using var command = connection.Command(sql, parameters);
        using var registration = Interrupts(command, cancellationToken);
        using var reader = command.ExecuteReader();
        return reader.Read() && !reader.IsDBNull(0) ? reader.GetFieldValue<T>(0) : default;
    }

    /// <summary>
    /// Runs a query and returns its reader. Materialised by default; <paramref name="streaming"/>
    /// fetches chunks while reading (for results too large to hold), and then the token keeps
    /// interrupting while rows are read (its registration ends with the token's source).
    /// </summary>
    public static DuckDBDataReader Query(this DuckDBConnection connection, string sql, CancellationToken cancellationToken = default, bool streaming = false, params object?[] parameters)
    {
        var command = connection.Command(sql, parameters);
        command.UseStreamingMode = streaming;
        var registration = Interrupts(command, cancellationToken);
        try
        {
            return command.ExecuteReader(CommandBehavior.Default);
        }
        finally
        {
            if (!streaming)
            {
                registration.Dispose();
                command.Dispose();
            }
        }
    }

    /// <summary>A command with positional parameters ($1, $2… or ?), for statements run many times.</summary>
    public static DuckDBCommand Command(this DuckDBConnection connection, string sql, params object?[] parameters)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(sql);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var parameter in parameters ?? [])
        {
            command.Parameters.Add(new DuckDBParameter(parameter ?? DBNull.Value));
        }
        return command;
    }

    private static CancellationTokenRegistration Interrupts(DuckDBCommand command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static state =>
            {
                // a streaming reader's registration can outlive its connection: interrupt only a live one
                var running = (DuckDBCommand)state!;
                if (running.Connection is { State: ConnectionState.Open })
                {
                    running.Cancel();
                }
            }, command)
            : default;
    }
}
