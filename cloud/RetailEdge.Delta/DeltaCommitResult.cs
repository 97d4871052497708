namespace RetailEdge.Delta;

/// <summary>The outcome of a commit: the version written (or null when skipped) and the attempts it took.</summary>
/// <param name="Skipped">true when a txn showed the batch was already committed; nothing was written</param>
public sealed record DeltaCommitResult(long? Version, int Attempts, bool Skipped = false, bool CheckpointWritten = false)
{
    /// <summary>Why the checkpoint due after this commit was not written (the commit itself succeeded).</summary>
    public string? CheckpointError { get; init; }
}
