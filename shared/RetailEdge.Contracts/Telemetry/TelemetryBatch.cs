namespace RetailEdge.Contracts.Telemetry;

/// <summary>
/// One upstream message (schema <c>retailedge.telemetry/1</c>, ARCHITECTURE.md §5). Every aggregate
/// section is additive, so a late event is just another partial row. <see cref="Seq"/> is the
/// gateway's gap-free sequence number within its journal <see cref="JournalId"/>; the cloud
/// deduplicates on (device, module, journal, seq), so a gateway whose journal was lost or
/// re-imaged (seq restarting at 1 under a new journal id) sends new data, not duplicates.
/// </summary>
public sealed record TelemetryBatch
{
    public const string SchemaV1 = "retailedge.telemetry/1";

    public string Schema { get; init; } = SchemaV1;

    public required int StoreId { get; init; }

    /// <summary>The gateway (IoT Edge device) id.</summary>
    public required string Gateway { get; init; }

    public string Module { get; init; } = "StoreGateway";

    /// <summary>
    /// The identity of the gateway journal that assigned <see cref="Seq"/>: a random id made once when
    /// the journal is created. Null in batches of gateways from before it existed (ARCHITECTURE.md §5).
    /// </summary>
    public string? JournalId { get; init; }

    public required long Seq { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public int WindowSeconds { get; init; } = 60;

    public IReadOnlyList<ItemWindowRow> Items { get; init; } = [];

    public IReadOnlyList<BasketSummaryRow> Baskets { get; init; } = [];

    public IReadOnlyList<WeighingWindowRow> Weighings { get; init; } = [];

    public IReadOnlyList<SnapshotRow> Snapshots { get; init; } = [];

    public IReadOnlyList<InventoryPositionRow> Inventory { get; init; } = [];

    public IReadOnlyList<TelemetryAlert> Alerts { get; init; } = [];

    public RejectSummary Rejects { get; init; } = RejectSummary.Empty;

    /// <summary>Raw event JSON, only when the twin asks for raw forwarding.</summary>
    public IReadOnlyList<string> Raw { get; init; } = [];

    public int RowCount => Items.Count + Baskets.Count + Weighings.Count + Snapshots.Count + Inventory.Count + Alerts.Count + Raw.Count;
}
