namespace RetailEdge.Lakehouse;

/// <summary>What one refiner run did.</summary>
public sealed record RefineResult(
    long? BronzeVersion,
    int Records,
    int Batches,
    int Duplicates,
    int Quarantined,
    long SilverRows,
    IReadOnlyDictionary<string, int> QuarantineByReason,
    bool MoreAvailable)
{
    /// <summary>Of <see cref="Batches"/>, those whose sections DuckDB loaded in bulk (the rest were decoded one by one).</summary>
    public int BulkBatches { get; init; }
}
