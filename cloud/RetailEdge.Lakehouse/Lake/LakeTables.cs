using RetailEdge.Delta;

namespace RetailEdge.Lakehouse;

/// <summary>Every table of ARCHITECTURE.md §9 with its columns; money is decimal(18,2), quantities decimal(18,3).</summary>
public static class LakeTables
{
    private static readonly DeltaType Money = DeltaType.Decimal(18, 2);
    private static readonly DeltaType Quantity = DeltaType.Decimal(18, 3);

    /// <summary>The columns every exploded silver row carries before its own: where it came from.</summary>
    public static IReadOnlyList<LakeColumn> SilverLineage { get; } =
    [
        Str("device_id", false), Str("module_id", false), Long("seq", false), Int("store_id", false),
    ];

    public static LakeTableDefinition BronzeTelemetry { get; } = new("bronze", "telemetry",
    [
        Ts("enqueued_time"), Ts("ingest_time", false), Str("device_id"), Str("module_id"), Str("message_id"),
        Str("content_type"), Str("content_encoding"), Str("properties"), Bin("body"), Str("source_file", false),
        Long("source_line", false), Date("ingest_date", false),
        // Event Hubs records only (routed-file rows keep them null): where the record sits in its partition.
        // Added after the first lakes were written; older files read them as null (LakeTable schema evolution).
        Str("partition_id"), Str("partition_offset"), Long("sequence_number"),
    ], "ingest_date");

    public static LakeTableDefinition ItemWindow { get; } = Silver("item_window",
    [
        Ts("window_start", false), Long("item_id", false), Str("change_type", false), Str("channel"),
        Int("events", false), Qty("qty"), Amt("amount"), Amt("discount"),
    ]);

    public static LakeTableDefinition Basket { get; } = Silver("basket",
    [
        Str("basket_id", false), Ts("ts", false), Str("lane_id"), Str("channel", false), Str("customer_id"),
        Int("lines", false), Qty("qty"), Amt("amount"),
    ]);

    public static LakeTableDefinition WeighingWindow { get; } = Silver("weighing_window",
    [
        Ts("window_start", false), Str("scale_id", false), Long("item_id", false), Int("count", false),
        Qty("net_kg"), Amt("amount"), Int("tare_anomalies", false),
    ]);

    public static LakeTableDefinition InventorySnapshot { get; } = Silver("inventory_snapshot",
    [
        Str("snapshot_id", false), Ts("ts", false), Long("item_id", false), Qty("qty"), Str("employee_id"),
    ]);

    public static LakeTableDefinition InventoryPosition { get; } = Silver("inventory_position",
    [
        Long("item_id", false), Ts("as_of", false), Qty("position"), Ts("last_count_at"), Qty("last_count_qty"),
    ]);

    public static LakeTableDefinition Alert { get; } = Silver("alert",
    [
        Str("kind", false), Ts("ts", false), Long("item_id"), Str("detail"),
    ]);

    /// <summary>
    /// One row per accepted batch (gap detection: gap_before = missing seqs before this one in the same
    /// journal), keyed by (device_id, module_id, journal_id, seq); content_hash tells a resend (same
    /// hash) from a conflicting batch under a known key. journal_id is null for gateways that send none.
    /// </summary>
    public static LakeTableDefinition Batch { get; } = new("silver", "batch",
    [
        Str("device_id", false), Str("module_id", false), Str("journal_id"), Long("seq", false), Int("store_id", false),
        Ts("created_at", false), Ts("enqueued_time"), Str("message_id"), Int("window_seconds", false),
        Int("items", false), Int("baskets", false), Int("weighings", false), Int("snapshots", false),
        Int("inventory", false), Int("alerts", false), Int("rejects", false), Long("gap_before", false),
        Str("source_file", false), Long("source_line", false), Str("content_hash"), Date("event_date", false),
    ], "event_date");

    /// <summary>Message-level and row-level failures, with the reason and the raw bytes.</summary>
    public static LakeTableDefinition Quarantine { get; } = new("silver", "quarantine",
    [
        Str("device_id"), Str("module_id"), Long("seq"), Str("message_id"), Str("reason", false), Str("detail"),
        Bin("raw"), Ts("enqueued_time"), Str("source_file", false), Long("source_line", false), Date("event_date", false),
    ], "event_date");

    public static LakeTableDefinition LatestInventorySnapshot { get; } = new("gold", "latest_inventory_snapshot",
    [
        Int("store_id", false), Long("item_id", false), Qty("quantity"), Ts("snapshot_time", false),
    ], "store_id");

    public static LakeTableDefinition CurrentInventory { get; } = new("gold", "current_inventory",
    [
        Int("store_id", false), Long("item_id", false), Qty("snapshot_quantity"), Ts("snapshot_time"),
        Qty("change_quantity"), Qty("current_quantity"), Ts("as_of"), Qty("safety_stock_quantity"), Bool("below_safety_stock"),
    ], "store_id");

    public static LakeTableDefinition SalesByDay { get; } = new("gold", "sales_by_day",
    [
        Date("date", false), Int("store_id", false), Str("region"), Str("channel", false), Long("transactions", false),
        Qty("units"), Amt("revenue"), Amt("avg_ticket"),
    ], "date");

    public static LakeTableDefinition SalesPerMinute { get; } = new("gold", "sales_per_minute",
    [
        Ts("window_start", false), Int("store_id", false), Long("item_id", false), Qty("units"), Amt("revenue"),
        Date("date", false),
    ], "date");

    public static LakeTableDefinition ProductPerformance { get; } = new("gold", "product_performance",
    [
        Long("item_id", false), Qty("units"), Amt("revenue"), Amt("cost"), Amt("gross_margin"), Long("transactions", false),
        Amt("avg_unit_price"),
    ], null);

    public static LakeTableDefinition TopCustomers { get; } = new("gold", "top_customers",
    [
        Str("customer_id", false), Amt("total_spend"), Long("purchases", false), Ts("last_purchase"),
    ], null);

    public static LakeTableDefinition MarginByStoreDay { get; } = new("gold", "margin_by_store_day",
    [
        Date("date", false), Int("store_id", false), Amt("revenue"), Amt("cost"), Amt("gross_margin"), Amt("margin_pct"),
        Amt("shrink_cost"),
    ], "date");

    public static LakeTableDefinition Shrink { get; } = new("gold", "shrink",
    [
        Date("date", false), Int("store_id", false), Long("item_id", false), Qty("units_lost"), Amt("cost_lost"),
    ], "date");

    public static LakeTableDefinition StockoutRisk { get; } = new("gold", "stockout_risk",
    [
        Int("store_id", false), Long("item_id", false), Qty("current_quantity"), Qty("safety_stock_quantity"),
        Qty("avg_daily_units"), Amt("days_of_cover"),
    ], "store_id");

    public static LakeTableDefinition StoreHealth { get; } = new("gold", "store_health",
    [
        Str("device_id", false), Str("module_id", false), Int("store_id"), Str("status"), Str("version"),
        Ts("last_event_at"), Ts("last_sent_at"), Long("buffered_batches"), Long("oldest_unsent_age_seconds"),
        Long("rejected"), Long("dropped"), Str("reference_data_version"), Str("reference_data_error"), Str("config_error"),
        Ts("observed_at", false), Bool("stale", false), Long("quarantined"), Long("seq_conflicts"),
    ], null);

    public static LakeTableDefinition ReferenceStore { get; } = new("reference", "store",
    [
        Int("store_id", false), Str("name"), Str("region"), Str("timezone"), Str("device_id"),
    ], null);

    public static LakeTableDefinition ReferenceItem { get; } = new("reference", "item",
    [
        Long("item_id", false), Str("name"), Str("department"), Int("supplier_id"), Qty("safety_stock_quantity"),
        Str("unit_of_measure"), Amt("unit_price"), Amt("unit_cost"),
    ], null);

    public static LakeTableDefinition ReferenceChangeType { get; } = new("reference", "change_type",
    [
        Int("change_type_id", false), Str("change_type", false),
    ], null);

    public static LakeTableDefinition ReferenceAssortment { get; } = new("reference", "assortment",
    [
        Int("store_id", false), Long("item_id", false),
    ], null);

    /// <summary>The silver tables the refiner writes, in commit order: silver.batch is last, it is the dedup state.</summary>
    public static IReadOnlyList<LakeTableDefinition> SilverTables { get; } =
        [ItemWindow, Basket, WeighingWindow, InventorySnapshot, InventoryPosition, Alert, Quarantine, Batch];

    public static IReadOnlyList<LakeTableDefinition> GoldTables { get; } =
        [LatestInventorySnapshot, CurrentInventory, SalesByDay, SalesPerMinute, ProductPerformance, TopCustomers,
         MarginByStoreDay, Shrink, StockoutRisk];


    private static LakeTableDefinition Silver(string name, LakeColumn[] columns) =>
        new("silver", name, [.. SilverLineage, .. columns, Date("event_date", false)], "event_date");

    private static LakeColumn Ts(string name, bool nullable = true) => new(name, "TIMESTAMPTZ", DeltaType.Timestamp, nullable);
    private static LakeColumn Str(string name, bool nullable = true) => new(name, "VARCHAR", DeltaType.String, nullable);
    private static LakeColumn Bin(string name) => new(name, "BLOB", DeltaType.Binary);
    private static LakeColumn Long(string name, bool nullable = true) => new(name, "BIGINT", DeltaType.Long, nullable);
    private static LakeColumn Int(string name, bool nullable = true) => new(name, "INTEGER", DeltaType.Integer, nullable);
    private static LakeColumn Bool(string name, bool nullable = true) => new(name, "BOOLEAN", DeltaType.Boolean, nullable);
    private static LakeColumn Date(string name, bool nullable = true) => new(name, "DATE", DeltaType.Date, nullable);
    private static LakeColumn Qty(string name) => new(name, "DECIMAL(18,3)", Quantity);
    private static LakeColumn Amt(string name) => new(name, "DECIMAL(18,2)", Money);
}
