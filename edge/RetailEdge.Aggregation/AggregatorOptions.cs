using RetailEdge.Contracts.Telemetry;
using RetailEdge.Contracts.Twin;

namespace RetailEdge.Aggregation;

/// <summary>Who the batches come from and the twin settings that shape them.</summary>
public sealed record AggregatorOptions
{
    public required int StoreId { get; init; }

    /// <summary>The gateway (IoT Edge device) id written into every batch.</summary>
    public required string Gateway { get; init; }

    public string Module { get; init; } = "StoreGateway";

    /// <summary>The journal's identity written into every batch (its seq counts within that journal); null: none (tools, tests).</summary>
    public string? JournalId { get; init; }

    public GatewaySettings Settings { get; init; } = GatewaySettings.Default;

    public void Validate()
    {
        if (StoreId <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(StoreId), StoreId, "StoreId must be positive");
        }
        if (string.IsNullOrWhiteSpace(Gateway) || Gateway.Length > 100)
        {
            throw new ArgumentException("Gateway must be a non-empty id of at most 100 characters", nameof(Gateway));
        }
        if (JournalId is not null && !TelemetryBatchCodec.IsValidJournalId(JournalId))
        {
            throw new ArgumentException("JournalId must be 1..64 letters, digits, '-' or '_'", nameof(JournalId));
        }
        ArgumentNullException.ThrowIfNull(Settings);
        if (Settings.Window.Ticks % TimeSpan.TicksPerSecond != 0 || !GatewaySettings.IsWindowLength((int)Math.Min(int.MaxValue, Settings.Window.TotalSeconds)))
        {
            throw new ArgumentOutOfRangeException(nameof(Settings), Settings.Window, "Settings.Window must divide a minute (10, 12, 15, 20 or 30 s) or be a whole number of minutes");
        }
        if (Settings.MaxBatchBytes <= 0 || Settings.MaxBatchBytes > GatewaySettings.HardMaxBatchBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(Settings), Settings.MaxBatchBytes, "Settings.MaxBatchBytes out of range");
        }
    }
}
