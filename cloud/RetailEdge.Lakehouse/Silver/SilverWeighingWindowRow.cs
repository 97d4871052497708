using DuckDB.NET.Data;
using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.Lakehouse.Silver;

/// <summary>A row of silver.weighing_window: a scale window of an accepted batch.</summary>
internal sealed record SilverWeighingWindowRow(SilverLineage Lineage, WeighingWindowRow Window) : ISilverRow
{
    public DateOnly EventDate => Refiner.LocalDate(Window.WindowStart);

    public void AppendTo(IDuckDBAppenderRow cells) =>
        Lineage.AppendTo(cells).AppendValue(Window.WindowStart).AppendValue(Window.ScaleId).AppendValue(Window.ItemId).AppendValue(Window.Count)
            .AppendValue(Window.NetKg).AppendValue(Window.Amount).AppendValue(Window.TareAnomalies).AppendValue(EventDate);
}
