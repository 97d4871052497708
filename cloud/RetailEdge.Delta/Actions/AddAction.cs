namespace RetailEdge.Delta.Actions;

/// <summary>The `add` action: a data file that is part of the table from this version on.</summary>
/// <param name="Path">relative (URI-encoded) or absolute path, exactly as in the log</param>
/// <param name="Stats">the stats JSON string (numRecords, minValues, maxValues, nullCount), or null</param>
/// <param name="HasDeletionVector">true when the log attached a deletion vector (unsupported feature)</param>
public sealed record AddAction(
    string Path,
    IReadOnlyDictionary<string, string?> PartitionValues,
    long Size,
    long ModificationTime,
    bool DataChange,
    string? Stats = null,
    IReadOnlyDictionary<string, string?>? Tags = null,
    bool HasDeletionVector = false) : DeltaAction
{
    private DeltaFileStats? _parsedStats;
    private bool _statsParsed;

    /// <summary>The parsed stats, or null when absent or unreadable (stats are optional).</summary>
    public DeltaFileStats? ParsedStats
    {
        get
        {
            if (!_statsParsed)
            {
                _parsedStats = Stats is null ? null : DeltaFileStats.TryParse(Stats);
                _statsParsed = true;
            }
            return _parsedStats;
        }
    }
}
