namespace RetailEdge.HubEmulator.EventHubs;

/// <summary>How long and how much of each partition the built-in endpoint keeps.</summary>
public sealed record EventRetentionOptions(TimeSpan MaxAge, long MaxBytesPerPartition)
{
    /// <summary>
    /// Segment files are the unit of deletion: a segment rolls over at a quarter of the size
    /// limit (64 KB–64 MB) or once its first event is a quarter of the retention age old, so
    /// retention overshoots neither limit by more than about a quarter.
    /// </summary>
    public long SegmentBytes => Math.Clamp(MaxBytesPerPartition / 4, 64 * 1024, 64L * 1024 * 1024);

    public TimeSpan SegmentAge => MaxAge / 4;
}
