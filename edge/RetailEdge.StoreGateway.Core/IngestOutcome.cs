namespace RetailEdge.StoreGateway.Core;

/// <summary>The result for one event, returned only after the journal transaction that holds it committed.</summary>
public readonly record struct IngestOutcome(IngestStatus Status, string? EventId, string? Reason, string? Detail);
