namespace RetailEdge.Delta.Storage;

/// <summary>What a compaction did: files rewritten into fewer files (dataChange=false).</summary>
public sealed record DeltaOptimizeResult(long? Version, int FilesRemoved, int FilesAdded, int PartitionsCompacted);
