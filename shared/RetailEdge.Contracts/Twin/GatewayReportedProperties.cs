using System.Text.Json.Serialization;

namespace RetailEdge.Contracts.Twin;

/// <summary>
/// StoreGateway's reported properties (ARCHITECTURE.md §6), patched at most every few seconds. The one
/// shape of a gateway's state: the module serializes it into its twin, its /health document and its
/// <c>status</c> method answer; the cloud monitor and <c>retailedge fleet status</c> read it back with
/// <see cref="TolerantJson"/>. The counters are nullable because a twin written by another module version
/// (or by hand) may lack them, and a reader must tell "not reported" from 0.
/// </summary>
/// <remarks>
/// The values that can be cleared are written as null even when the context omits nulls: in a twin patch,
/// null deletes the property, so an error that went away (or a send time forgotten) disappears from the twin.
/// </remarks>
public record GatewayReportedProperties
{
    public string? Version { get; init; }

    /// <summary>running, degraded (offline or config error), disk_full (ingest refused, backlog draining), stopping.</summary>
    public string? Status { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public DateTimeOffset? LastEventAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public DateTimeOffset? LastSentAt { get; init; }

    public long? BufferedBatches { get; init; }

    public long? OldestUnsentAgeSeconds { get; init; }

    public double? EventsPerMinute { get; init; }

    public long? Rejected { get; init; }

    /// <summary>Events accepted since start that arrived more than allowedLatenessSeconds after their time (sent all the same).</summary>
    public long? LateEvents { get; init; }

    public long? Dropped { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? ReferenceDataVersion { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? ReferenceDataError { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? ConfigError { get; init; }

    /// <summary>Free space on the journal's volume in MiB (-1 when unknown).</summary>
    public long? DiskFreeMb { get; init; }
}
