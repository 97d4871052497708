namespace RetailEdge.DuckDb;

/// <summary>An error reported by DuckDB; <see cref="Exception.Message"/> carries DuckDB's own text.</summary>
public sealed class DuckDbException : Exception
{
    public DuckDbException()
    {
    }

    public DuckDbException(string message)
        : base(message)
    {
    }

    public DuckDbException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    private DuckDbException(string message, string operation, string duckDbMessage)
        : base(message)
    {
        Operation = operation;
        DuckDbMessage = duckDbMessage;
    }

    /// <summary>What was being done: open, connect, query, prepare, bind, execute, append.</summary>
    public string Operation { get; } = string.Empty;

    /// <summary>DuckDB's error text, verbatim (empty when DuckDB gave none).</summary>
    public string DuckDbMessage { get; } = string.Empty;

    /// <param name="operation">what we asked DuckDB to do, e.g. "query" or "prepare"</param>
    /// <param name="duckDbMessage">DuckDB's error text, verbatim</param>
    internal static DuckDbException From(string operation, string? duckDbMessage) =>
        string.IsNullOrEmpty(duckDbMessage)
            ? new($"DuckDB {operation} failed.", operation, string.Empty)
            : new($"DuckDB {operation} failed: {duckDbMessage}", operation, duckDbMessage);
}
