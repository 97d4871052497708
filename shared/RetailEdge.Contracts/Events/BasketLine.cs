namespace RetailEdge.Contracts.Events;

/// <summary>One line of a basket; a return has a negative <see cref="Qty"/>.</summary>
public sealed record BasketLine(long ItemId, decimal Qty, decimal UnitPrice, decimal Discount = 0m)
{
    /// <summary>round(qty × unitPrice, 2) − discount.</summary>
    public decimal Amount => Money.LineAmount(Qty, UnitPrice, Discount);
}
