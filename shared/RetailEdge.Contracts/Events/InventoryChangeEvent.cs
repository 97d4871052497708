namespace RetailEdge.Contracts.Events;

/// <summary>A non-POS stock movement (receiving, handhelds).</summary>
public sealed record InventoryChangeEvent : StoreEvent
{
    public override string Type => StoreEventTypes.InventoryChange;

    /// <summary>restock, shrink or adjustment.</summary>
    public required string ChangeType { get; init; }

    public required IReadOnlyList<InventoryLine> Lines { get; init; }

    public string? Reason { get; init; }
}
