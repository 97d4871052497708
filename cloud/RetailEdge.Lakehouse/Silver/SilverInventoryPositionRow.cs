using DuckDB.NET.Data;
using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.Lakehouse.Silver;

/// <summary>A row of silver.inventory_position: an item position of an accepted batch.</summary>
internal sealed record SilverInventoryPositionRow(SilverLineage Lineage, InventoryPositionRow Position) : ISilverRow
{
    public DateOnly EventDate => Refiner.LocalDate(Position.AsOf);

    public void AppendTo(IDuckDBAppenderRow cells) =>
        Lineage.AppendTo(cells).AppendValue(Position.ItemId).AppendValue(Position.AsOf).AppendValue(Position.Position).AppendValue(Position.LastCountAt)
            .AppendValue(Position.LastCountQty).AppendValue(EventDate);
}
