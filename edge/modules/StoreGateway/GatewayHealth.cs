using RetailEdge.Contracts.Twin;

namespace StoreGateway;

/// <summary>
/// The <c>GET /health</c> document: the module's reported properties (the same shape its twin and its
/// <c>status</c> method carry) plus what only matters on the gateway itself. Never a secret: whether an
/// ingest key is configured, not the key.
/// </summary>
public sealed record GatewayHealth : GatewayReportedProperties
{
    public GatewayHealth(GatewayReportedProperties reported)
        : base(reported)
    {
    }

    public long Accepted { get; init; }

    public long Duplicates { get; init; }

    public int OpenWindows { get; init; }

    public long NextSeq { get; init; }

    /// <summary>The store-broker session: disabled, connecting, subscribed, …</summary>
    public string? Mqtt { get; init; }

    /// <summary>configured or missing.</summary>
    public string? IngestKey { get; init; }

    public long InFlightBytes { get; init; }

    public long DiskFreeBytes { get; init; }
}
