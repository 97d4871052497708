namespace RetailEdge.Delta.Actions;

/// <summary>The `remove` action: a tombstone for a data file, kept until its retention passes.</summary>
public sealed record RemoveAction(
    string Path,
    long? DeletionTimestamp,
    bool DataChange,
    IReadOnlyDictionary<string, string?>? PartitionValues = null,
    long? Size = null,
    bool ExtendedFileMetadata = false) : DeltaAction;
