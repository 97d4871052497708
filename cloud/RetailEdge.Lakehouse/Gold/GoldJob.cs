namespace RetailEdge.Lakehouse;

/// <summary>One gold table: the SQL file that computes it, its refresh strategy and the tables it reads.</summary>
public sealed record GoldJob(LakeTableDefinition Target, string SqlName, GoldStrategy Strategy, IReadOnlyList<LakeTableDefinition> Inputs)
{
    /// <summary>Every gold job in dependency order (stockout_risk reads current_inventory).</summary>
    public static IReadOnlyList<GoldJob> All { get; } =
    [
        new(LakeTables.LatestInventorySnapshot, "latest_inventory_snapshot.sql", GoldStrategy.MergeStores, [LakeTables.InventorySnapshot]),
        new(LakeTables.CurrentInventory, "current_inventory.sql", GoldStrategy.MergeStores, [LakeTables.InventoryPosition, LakeTables.InventorySnapshot]),
        new(LakeTables.SalesByDay, "sales_by_day.sql", GoldStrategy.RecomputeDates, [LakeTables.Basket]),
        new(LakeTables.SalesPerMinute, "sales_per_minute.sql", GoldStrategy.RecomputeDates, [LakeTables.ItemWindow]),
        new(LakeTables.ProductPerformance, "product_performance.sql", GoldStrategy.MergeAll, [LakeTables.ItemWindow]),
        new(LakeTables.TopCustomers, "top_customers.sql", GoldStrategy.MergeAll, [LakeTables.Basket]),
        new(LakeTables.MarginByStoreDay, "margin_by_store_day.sql", GoldStrategy.RecomputeDates, [LakeTables.ItemWindow]),
        new(LakeTables.Shrink, "shrink.sql", GoldStrategy.RecomputeDates, [LakeTables.ItemWindow]),
        new(LakeTables.StockoutRisk, "stockout_risk.sql", GoldStrategy.RecomputeStores, [LakeTables.CurrentInventory, LakeTables.ItemWindow]),
    ];
}
