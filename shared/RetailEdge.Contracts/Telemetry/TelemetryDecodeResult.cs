namespace RetailEdge.Contracts.Telemetry;

/// <summary>A decoded batch, or why the body could not be decoded (a quarantine reason code).</summary>
public sealed record TelemetryDecodeResult(TelemetryBatch? Batch, string? Reason, string? Detail)
{
    public bool IsValid => Batch is not null;

    public static TelemetryDecodeResult Failed(string reason, string? detail) => new(null, reason, detail);
}
