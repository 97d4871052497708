namespace RetailEdge.Lakehouse.Silver;

/// <summary>
/// What the refine needs of a batch besides its rows: its header, the row count per section
/// (<see cref="BulkBatchScanner.Sections"/> order), and for a batch that qualified for the bulk path
/// the JSON fragment per non-empty section that DuckDB explodes (dropped once written). <see cref="Hash"/> is SHA-256 of the JSON as
/// sent, which for the codec's own output is <see cref="Refiner.ContentHash"/>.
/// </summary>
public sealed record ScannedBatch(
    int StoreId,
    string? JournalId,
    long Seq,
    DateTimeOffset CreatedAt,
    int WindowSeconds,
    IReadOnlyList<int> SectionRows,
    int Alerts,
    int Rejects,
    IReadOnlyList<byte[]?>? SectionLines,
    string Hash)
{
    /// <summary>Per section (bulk-scanned batches only), the local date of all its rows, or null when they span several dates or there are none.</summary>
    public IReadOnlyList<string?>? SectionDates { get; init; }
}
