using DuckDB.NET.Data;
using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.Lakehouse.Silver;

/// <summary>A row of silver.inventory_snapshot: a counted quantity of an accepted batch.</summary>
internal sealed record SilverInventorySnapshotRow(SilverLineage Lineage, SnapshotRow Snapshot) : ISilverRow
{
    public DateOnly EventDate => Refiner.LocalDate(Snapshot.Ts);

    public void AppendTo(IDuckDBAppenderRow cells) =>
        Lineage.AppendTo(cells).AppendValue(Snapshot.Id).AppendValue(Snapshot.Ts).AppendValue(Snapshot.ItemId).AppendValue(Snapshot.Qty)
            .AppendValue(Snapshot.EmployeeId).AppendValue(EventDate);
}
