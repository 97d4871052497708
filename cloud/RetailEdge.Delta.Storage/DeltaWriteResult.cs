using RetailEdge.Delta.Actions;

namespace RetailEdge.Delta.Storage;

/// <summary>The outcome of a write.</summary>
/// <param name="Version">the committed version; null when nothing was committed (skipped, or empty input without txn)</param>
/// <param name="Skipped">true when the txn (AppId, AppVersion) was already in the table</param>
public sealed record DeltaWriteResult(long? Version, bool Skipped, long RowsWritten, IReadOnlyList<AddAction> AddedFiles, int RemovedFiles, int Attempts);
