namespace RetailEdge.Contracts.Events;

/// <summary>An item quantity in an inventory change (signed) or a count.</summary>
public sealed record InventoryLine(long ItemId, decimal Qty);
