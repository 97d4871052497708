namespace RetailEdge.Contracts.Events;

/// <summary>Money rules shared by the edge, the cloud and the tests (ARCHITECTURE.md §4).</summary>
public static class Money
{
    /// <summary>Rounds to cents, half away from zero.</summary>
    public static decimal Round2(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    /// <summary>A basket line's amount: round(qty × unitPrice, 2) − discount.</summary>
    public static decimal LineAmount(decimal qty, decimal unitPrice, decimal discount) =>
        Round2(qty * unitPrice) - discount;

    /// <summary>A weighing's amount: round(netKg × pricePerKg, 2).</summary>
    public static decimal WeighingAmount(decimal netKg, decimal pricePerKg) => Round2(netKg * pricePerKg);
}
