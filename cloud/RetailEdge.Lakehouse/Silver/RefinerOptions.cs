namespace RetailEdge.Lakehouse;

/// <summary>Options of the refiner (bronze → silver).</summary>
public sealed record RefinerOptions
{
    /// <summary>The txn appId recorded in every silver table: its version is the bronze version refined through.</summary>
    public string AppId { get; init; } = "retailedge-refiner";

    /// <summary>How many bronze commits one refiner run reads at most.</summary>
    public int MaxBronzeCommits { get; init; } = 20;

    /// <summary>
    /// Explode batches in bulk in DuckDB (default). False sends every batch through the per-batch .NET
    /// decoder, the path a batch the bulk scan does not admit always takes; the lake is the same either way.
    /// </summary>
    public bool BulkDecode { get; init; } = true;

    /// <summary>Threads that decompress and scan bodies for the bulk path.</summary>
    public int DecodeThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>How many silver tables one run writes at the same time (each its own DuckDB COPY and commit).</summary>
    public int ParallelTableWrites { get; init; } = 2;

    public RefinerOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(AppId) || MaxBronzeCommits < 1 || DecodeThreads < 1 || ParallelTableWrites < 1)
        {
            throw new ArgumentException("RefinerOptions.AppId must be set, MaxBronzeCommits, DecodeThreads and ParallelTableWrites positive");
        }
        return this;
    }
}
