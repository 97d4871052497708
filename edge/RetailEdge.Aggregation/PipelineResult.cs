using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.Aggregation;

/// <summary>What <see cref="TelemetryPipeline"/> produced: the sealed batches in seq order and what it skipped.</summary>
public sealed record PipelineResult(IReadOnlyList<TelemetryBatch> Batches, long Accepted, long Duplicates, long Rejected);
