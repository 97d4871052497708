using DuckDB.NET.Data;
using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.Lakehouse.Silver;

/// <summary>A row of silver.basket: a basket summary of an accepted batch.</summary>
internal sealed record SilverBasketRow(SilverLineage Lineage, BasketSummaryRow Basket) : ISilverRow
{
    public DateOnly EventDate => Refiner.LocalDate(Basket.Ts);

    public void AppendTo(IDuckDBAppenderRow cells) =>
        Lineage.AppendTo(cells).AppendValue(Basket.Id).AppendValue(Basket.Ts).AppendValue(Basket.LaneId).AppendValue(Basket.Channel)
            .AppendValue(Basket.CustomerId).AppendValue(Basket.Lines).AppendValue(Basket.Qty).AppendValue(Basket.Amount).AppendValue(EventDate);
}
