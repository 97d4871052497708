namespace RetailEdge.StoreGateway.Core;

/// <summary>A snapshot of the engine's state, refreshed by the engine loop (for reported properties, /health and the status method).</summary>
public sealed record GatewayStatus
{
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? LastEventAt { get; init; }
    public DateTimeOffset? LastSentAt { get; init; }
    public long BufferedBatches { get; init; }
    public long OldestUnsentAgeSeconds { get; init; }
    public double EventsPerMinute { get; init; }
    public long Accepted { get; init; }
    public long Rejected { get; init; }
    public long Duplicates { get; init; }
    public long Dropped { get; init; }

    /// <summary>Events accepted since start that were older than allowedLatenessSeconds when received (aggregated and sent all the same).</summary>
    public long LateEvents { get; init; }
    public int OpenWindows { get; init; }
    public long NextSeq { get; init; }
    public long JournalBytes { get; init; }
    public bool OverBudget { get; init; }

    /// <summary>The journal's disk is full (free space below the minimum, or a commit failed with SQLITE_FULL): ingest is refused, the backlog drains.</summary>
    public bool DiskFull { get; init; }

    /// <summary>Free bytes on the journal's volume (-1 when unknown).</summary>
    public long DiskFreeBytes { get; init; }
    public string? ReferenceDataVersion { get; init; }
}
