namespace RetailEdge.Contracts.Events;

/// <summary>The <c>type</c> discriminator values of store events (ARCHITECTURE.md §4).</summary>
public static class StoreEventTypes
{
    public const string Basket = "basket";
    public const string Weighing = "weighing";
    public const string InventoryChange = "inventory_change";
    public const string InventorySnapshot = "inventory_snapshot";

    public static readonly IReadOnlyList<string> All = [Basket, Weighing, InventoryChange, InventorySnapshot];
}
