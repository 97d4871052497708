namespace RetailEdge.Contracts.Telemetry;

/// <summary>
/// <c>items</c> row: additive per (windowStart, itemId, changeType, channel). <see cref="Qty"/> and
/// <see cref="Amount"/> are sums of the lines' own quantities and amounts (a return line's qty is
/// negative); <see cref="Events"/> counts distinct contributing events. Channel is null for
/// non-basket changes.
/// </summary>
public sealed record ItemWindowRow(DateTimeOffset WindowStart, long ItemId, string ChangeType, string? Channel, int Events, decimal Qty, decimal Amount, decimal Discount);

/// <summary><c>baskets</c> row: one per basket.</summary>
public sealed record BasketSummaryRow(string Id, DateTimeOffset Ts, string LaneId, string Channel, string? CustomerId, int Lines, decimal Qty, decimal Amount);

/// <summary><c>weighings</c> row: additive per (windowStart, scaleId, itemId).</summary>
public sealed record WeighingWindowRow(DateTimeOffset WindowStart, string ScaleId, long ItemId, int Count, decimal NetKg, decimal Amount, int TareAnomalies);

/// <summary><c>snapshots</c> row: one per counted item of a count, passed through.</summary>
public sealed record SnapshotRow(string Id, DateTimeOffset Ts, long ItemId, decimal Qty, string? EmployeeId);

/// <summary>
/// <c>inventory</c> row: the gateway's running position for an item as of <see cref="AsOf"/>: the
/// newest count plus all changes with ts ≥ that count's time (all changes when never counted).
/// </summary>
public sealed record InventoryPositionRow(long ItemId, DateTimeOffset AsOf, decimal Position, DateTimeOffset? LastCountAt, decimal? LastCountQty);

/// <summary>An urgent finding sent without waiting for the window (low_stock, price_mismatch, …).</summary>
public sealed record TelemetryAlert(string Kind, DateTimeOffset Ts, long? ItemId, IReadOnlyDictionary<string, string> Detail);

/// <summary>Rejected events of the batch's period: counts by reason and a few truncated samples.</summary>
public sealed record RejectSummary(int Count, IReadOnlyDictionary<string, int> ByReason, IReadOnlyList<string> Samples)
{
    /// <summary>At most this many samples per batch, each at most <see cref="MaxSampleChars"/>.</summary>
    public const int MaxSamples = 5;

    public const int MaxSampleChars = 512;

    public static RejectSummary Empty { get; } = new(0, new Dictionary<string, int>(), []);
}
