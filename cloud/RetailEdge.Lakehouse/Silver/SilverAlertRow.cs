using DuckDB.NET.Data;
using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.Lakehouse.Silver;

/// <summary>A row of silver.alert: an alert of an accepted batch, its detail as JSON text.</summary>
internal sealed record SilverAlertRow(SilverLineage Lineage, TelemetryAlert Alert, string DetailJson) : ISilverRow
{
    public DateOnly EventDate => Refiner.LocalDate(Alert.Ts);

    public void AppendTo(IDuckDBAppenderRow cells) =>
        Lineage.AppendTo(cells).AppendValue(Alert.Kind).AppendValue(Alert.Ts).AppendValue(Alert.ItemId).AppendValue(DetailJson).AppendValue(EventDate);
}
