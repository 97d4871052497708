namespace RetailEdge.Lakehouse;

/// <summary>
/// What one <see cref="StreamLander.LandAsync"/> did: events landed, events skipped because bronze
/// already held them (a replay), the bronze version committed (null when nothing was new) and
/// the age of the oldest event landed.
/// </summary>
public sealed record StreamLandResult(long Landed, long AlreadyLanded, long? Version, TimeSpan? Lag);
