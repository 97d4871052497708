namespace RetailEdge.Processor;

/// <summary>The /health response body.</summary>
public sealed record ProcessorHealthReport(string Status, DateTimeOffset StartedAt, DateTimeOffset? LastSuccess, string? LastError, long Cycles);
