namespace RetailEdge.Contracts.Twin;

/// <summary>StoreGateway's reported properties (ARCHITECTURE.md §6), patched at most every few seconds.</summary>
public sealed record GatewayReportedProperties
{
    public string Version { get; init; } = "";

    /// <summary>running, degraded (offline or config error), disk_full (ingest refused, backlog draining), stopping.</summary>
    public string Status { get; init; } = "running";

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? LastEventAt { get; init; }

    public DateTimeOffset? LastSentAt { get; init; }

    public long BufferedBatches { get; init; }

    public long OldestUnsentAgeSeconds { get; init; }

    public double EventsPerMinute { get; init; }

    public long Rejected { get; init; }

    /// <summary>Events accepted since start that arrived more than allowedLatenessSeconds after their time (sent all the same).</summary>
    public long LateEvents { get; init; }

    public long Dropped { get; init; }

    public string? ReferenceDataVersion { get; init; }

    public string? ReferenceDataError { get; init; }

    public string? ConfigError { get; init; }

    public long DiskFreeMb { get; init; }
}
