using DuckDB.NET.Data;
using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.Lakehouse.Silver;

/// <summary>A row of silver.item_window: an item window of an accepted batch.</summary>
internal sealed record SilverItemWindowRow(SilverLineage Lineage, ItemWindowRow Window) : ISilverRow
{
    public DateOnly EventDate => Refiner.LocalDate(Window.WindowStart);

    public void AppendTo(IDuckDBAppenderRow cells) =>
        Lineage.AppendTo(cells).AppendValue(Window.WindowStart).AppendValue(Window.ItemId).AppendValue(Window.ChangeType).AppendValue(Window.Channel)
            .AppendValue(Window.Events).AppendValue(Window.Qty).AppendValue(Window.Amount).AppendValue(Window.Discount).AppendValue(EventDate);
}
