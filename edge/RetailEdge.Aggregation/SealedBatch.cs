using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.Aggregation;

/// <summary>
/// A batch ready for the outbox, with what it consumed: the journal tags of the events whose rows it
/// carries (they must be marked sealed in the same transaction that stores the batch, so that a
/// restart neither loses nor repeats them), the events whose alerts it carries, and the quarantine
/// entries summarised in its rejects section. <see cref="Json"/> is the encoded body before compression.
/// </summary>
public sealed record SealedBatch(
    TelemetryBatch Batch,
    byte[] Json,
    bool IsAlert,
    IReadOnlyList<long> EventTags,
    IReadOnlyList<long> AlertEventTags,
    IReadOnlyList<long> RejectTags);
