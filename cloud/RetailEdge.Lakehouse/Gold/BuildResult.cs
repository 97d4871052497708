namespace RetailEdge.Lakehouse;

/// <summary>What one builder run refreshed: table → version committed (tables with nothing new are absent).</summary>
public sealed record BuildResult(IReadOnlyDictionary<string, long?> Tables, TimeSpan Elapsed);
