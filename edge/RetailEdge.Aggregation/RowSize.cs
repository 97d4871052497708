using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.Aggregation;

/// <summary>
/// Cheap upper estimates of a row's bytes in the columnar JSON (TelemetryBatchCodec), so that batches
/// can be cut near the size target without encoding every row twice. The sealed batch is encoded
/// once afterwards and split again if it still exceeds the hard limit.
/// </summary>
internal static class RowSize
{
    private const int Timestamp = 32;
    private const int Number = 14;

    public static int Of(ItemWindowRow row) => OfItem(row.ChangeType, row.Channel);

    public static int OfItem(string changeType, string? channel) => 8 + Timestamp + 3 * Number + changeType.Length + 3 + (channel?.Length ?? 2) + 3 + 8;

    public static int Of(BasketSummaryRow row) => OfBasket(row.Id, row.LaneId, row.Channel, row.CustomerId);

    public static int OfBasket(string id, string laneId, string channel, string? customerId) =>
        8 + id.Length + 3 + Timestamp + laneId.Length + 3 + channel.Length + 3 + (customerId?.Length ?? 2) + 3 + 3 * Number;

    public static int Of(WeighingWindowRow row) => OfWeighing(row.ScaleId);

    public static int OfWeighing(string scaleId) => 8 + Timestamp + scaleId.Length + 3 + 5 * Number;

    public static int Of(SnapshotRow row) => 8 + row.Id.Length + 3 + Timestamp + 2 * Number + (row.EmployeeId?.Length ?? 2) + 3;

    public static int Of(InventoryPositionRow row) => 8 + 2 * Timestamp + 3 * Number;

    public static int Of(TelemetryAlert alert)
    {
        var size = 48 + alert.Kind.Length + Timestamp + Number;
        foreach (var (key, value) in alert.Detail)
        {
            size += key.Length + value.Length + 6;
        }
        return size;
    }

    public static int OfRaw(string raw) => raw.Length + 8 + raw.Length / 8;

    /// <summary>Envelope and column headers of a batch.</summary>
    public const int Envelope = 900;
}
