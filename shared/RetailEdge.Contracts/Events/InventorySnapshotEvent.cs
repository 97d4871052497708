namespace RetailEdge.Contracts.Events;

/// <summary>A stock count: the counted quantity of each item at <see cref="StoreEvent.Ts"/>.</summary>
public sealed record InventorySnapshotEvent : StoreEvent
{
    public override string Type => StoreEventTypes.InventorySnapshot;

    public string? EmployeeId { get; init; }

    public required IReadOnlyList<InventoryLine> Counts { get; init; }
}
