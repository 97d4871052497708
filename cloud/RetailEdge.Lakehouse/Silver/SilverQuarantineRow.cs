using DuckDB.NET.Data;

namespace RetailEdge.Lakehouse.Silver;

/// <summary>A row of silver.quarantine: a bronze record that did not refine, with the reason and its raw bytes (partitioned by its ingest date).</summary>
internal sealed record SilverQuarantineRow(string? DeviceId, string? ModuleId, long? Seq, string? MessageId, string Reason, string? Detail,
    byte[] Raw, DateTimeOffset? EnqueuedTime, string SourceFile, long SourceLine, DateOnly EventDate) : ISilverRow
{
    public void AppendTo(IDuckDBAppenderRow cells) =>
        cells.AppendValue(DeviceId).AppendValue(ModuleId).AppendValue(Seq).AppendValue(MessageId).AppendValue(Reason).AppendValue(Detail)
            .AppendValue(Raw).AppendValue(EnqueuedTime).AppendValue(SourceFile).AppendValue(SourceLine).AppendValue(EventDate);
}
