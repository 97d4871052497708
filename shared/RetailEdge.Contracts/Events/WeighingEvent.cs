namespace RetailEdge.Contracts.Events;

/// <summary>
/// A scale weighing (produce, deli). It prints a label; the sale itself is the basket line
/// that scans the label, so a weighing does not move stock.
/// </summary>
public sealed record WeighingEvent : StoreEvent
{
    public override string Type => StoreEventTypes.Weighing;

    public required string ScaleId { get; init; }

    public required long ItemId { get; init; }

    public required decimal NetKg { get; init; }

    public required decimal PricePerKg { get; init; }

    public decimal? TareKg { get; init; }

    public required bool LabelPrinted { get; init; }

    public decimal Amount => Money.WeighingAmount(NetKg, PricePerKg);

    /// <summary>A tare below zero or above the net weight points at a badly set scale.</summary>
    public bool HasTareAnomaly => TareKg is { } tare && (tare < 0 || tare > NetKg);
}
