using DuckDB.NET.Data;

namespace RetailEdge.Lakehouse.Silver;

/// <summary>A row of silver.batch (the dedup state): an accepted batch's key, header, section counts, gap and lineage.</summary>
internal sealed record SilverBatchRow(string DeviceId, string ModuleId, ScannedBatch Header, int StoreId, DateTimeOffset? EnqueuedTime, string? MessageId,
    long GapBefore, string SourceFile, long SourceLine) : ISilverRow
{
    public DateOnly EventDate => Refiner.LocalDate(Header.CreatedAt);

    public void AppendTo(IDuckDBAppenderRow cells)
    {
        var counts = Header.SectionRows;
        cells.AppendValue(DeviceId).AppendValue(ModuleId).AppendValue(Header.JournalId).AppendValue(Header.Seq).AppendValue(StoreId)
            .AppendValue(Header.CreatedAt).AppendValue(EnqueuedTime).AppendValue(MessageId).AppendValue(Header.WindowSeconds)
            .AppendValue(counts[0]).AppendValue(counts[1]).AppendValue(counts[2]).AppendValue(counts[3]).AppendValue(counts[4])
            .AppendValue(Header.Alerts).AppendValue(Header.Rejects).AppendValue(GapBefore).AppendValue(SourceFile).AppendValue(SourceLine)
            .AppendValue(Header.Hash).AppendValue(EventDate);
    }
}
