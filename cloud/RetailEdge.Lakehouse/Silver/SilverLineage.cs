using DuckDB.NET.Data;

namespace RetailEdge.Lakehouse.Silver;

/// <summary>Where an exploded silver row came from: the columns of <see cref="LakeTables.SilverLineage"/>, shared by a batch's rows.</summary>
internal sealed record SilverLineage(string DeviceId, string ModuleId, long Seq, int StoreId)
{
    public IDuckDBAppenderRow AppendTo(IDuckDBAppenderRow cells) =>
        cells.AppendValue(DeviceId).AppendValue(ModuleId).AppendValue(Seq).AppendValue(StoreId);
}
