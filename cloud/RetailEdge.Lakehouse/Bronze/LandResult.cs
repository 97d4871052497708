namespace RetailEdge.Lakehouse;

/// <summary>What one landing commit did; <see cref="MoreAvailable"/> when files are still waiting.</summary>
public sealed record LandResult(int Files, long Records, long MalformedLines, long? Version, bool MoreAvailable, TimeSpan? Lag);
