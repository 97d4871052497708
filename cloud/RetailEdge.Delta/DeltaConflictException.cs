namespace RetailEdge.Delta;

/// <summary>
/// A concurrent commit changed what this transaction read (or the retry budget ran out); the
/// caller should re-read the table and redo its work.
/// </summary>
public sealed class DeltaConflictException : DeltaException
{
    public DeltaConflictException()
    {
    }

    public DeltaConflictException(string message)
        : base(message)
    {
    }

    public DeltaConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DeltaConflictException(string message, long winningVersion)
        : base(message)
    {
        WinningVersion = winningVersion;
    }

    /// <summary>The concurrent version that conflicted, when known.</summary>
    public long? WinningVersion { get; }
}
