using RetailEdge.Contracts.Events;

namespace RetailEdge.Contracts.Tests;

/// <summary>Builders for valid events; tests change one thing at a time.</summary>
internal static class TestEvents
{
    public static readonly DateTimeOffset Noon = new(2026, 11, 20, 12, 0, 0, TimeSpan.FromHours(1));

    public static BasketEvent Basket(string id = "b-1", string channel = Channels.Store) => new()
    {
        Id = id,
        StoreId = 17,
        Ts = Noon,
        LaneId = "lane-03",
        Channel = channel,
        CustomerId = "C000042",
        Lines = [new BasketLine(1001, 2m, 1.99m), new BasketLine(1002, -1m, 3.50m), new BasketLine(1003, 1.235m, 4.99m, 0.50m)],
        Tender = "card",
    };

    public static WeighingEvent Weighing() => new()
    {
        Id = "w-1", StoreId = 17, Ts = Noon, ScaleId = "scale-1", ItemId = 2001, NetKg = 0.734m, PricePerKg = 3.49m, TareKg = 0.012m, LabelPrinted = true,
    };

    public static InventoryChangeEvent Change() => new()
    {
        Id = "c-1", StoreId = 17, Ts = Noon, ChangeType = ChangeTypes.Restock, Lines = [new InventoryLine(1001, 24m)], Reason = "delivery",
    };

    public static InventorySnapshotEvent Snapshot() => new()
    {
        Id = "s-1", StoreId = 17, Ts = Noon, EmployeeId = "E7", Counts = [new InventoryLine(1001, 40m), new InventoryLine(1002, 0m)],
    };

    public static IEnumerable<StoreEvent> All() => [Basket(), Weighing(), Change(), Snapshot()];
}
