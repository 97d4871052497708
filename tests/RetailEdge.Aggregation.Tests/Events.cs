using RetailEdge.Contracts.Events;

namespace RetailEdge.Aggregation.Tests;

/// <summary>Test-data builders for store events of store 17 in UTC+01:00.</summary>
internal static class Events
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(1);
    public static readonly DateTimeOffset Day = new(2026, 3, 2, 8, 0, 0, Offset);
    private static int _next;

    public static string NextId(string prefix) => prefix + "-" + Interlocked.Increment(ref _next);

    public static BasketEvent Basket(DateTimeOffset ts, string channel, params BasketLine[] lines) => new()
    {
        Id = NextId("b"), StoreId = 17, Ts = ts, LaneId = "L1", Channel = channel, Lines = lines,
    };

    public static BasketLine Line(long item, decimal qty, decimal price, decimal discount = 0m) => new(item, qty, price, discount);

    public static InventoryChangeEvent Change(DateTimeOffset ts, string changeType, long item, decimal qty) => new()
    {
        Id = NextId("c"), StoreId = 17, Ts = ts, ChangeType = changeType, Lines = [new InventoryLine(item, qty)],
    };

    public static InventorySnapshotEvent Count(DateTimeOffset ts, params (long Item, decimal Qty)[] counts) => new()
    {
        Id = NextId("s"), StoreId = 17, Ts = ts, EmployeeId = "E1", Counts = counts.Select(c => new InventoryLine(c.Item, c.Qty)).ToList(),
    };

    public static WeighingEvent Weighing(DateTimeOffset ts, long item, decimal netKg, decimal pricePerKg, decimal? tare = null) => new()
    {
        Id = NextId("w"), StoreId = 17, Ts = ts, ScaleId = "S1", ItemId = item, NetKg = netKg, PricePerKg = pricePerKg, TareKg = tare, LabelPrinted = true,
    };

    public static AggregatorOptions Options(Contracts.Twin.GatewaySettings? settings = null) => new()
    {
        StoreId = 17, Gateway = "store017-gw", Settings = settings ?? Contracts.Twin.GatewaySettings.Default,
    };
}
