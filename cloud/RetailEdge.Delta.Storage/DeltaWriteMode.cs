namespace RetailEdge.Delta.Storage;

/// <summary>How written rows combine with the table's current rows.</summary>
public enum DeltaWriteMode
{
    /// <summary>Add the rows; nothing is removed (a blind append, retried freely under contention).</summary>
    Append,

    /// <summary>Replace every row of the table.</summary>
    Overwrite,

    /// <summary>
    /// Replace the rows of some partitions: those listed in <see cref="DeltaWriteOptions.Partitions"/>,
    /// or (when none are listed) the partitions present in the written rows.
    /// </summary>
    OverwritePartitions,
}
