namespace RetailEdge.HubEmulator.EventHubs;

/// <summary>What a receiver's start filter names.</summary>
public enum EventPositionKind
{
    Earliest,
    Latest,
    Offset,
    SequenceNumber,
    EnqueuedTime,
}

/// <summary>
/// Where a receiver starts: the earliest retained event, the next new one, or the event at an
/// offset, a sequence number or an enqueued time (inclusive or not), as the Event Hubs clients'
/// selector filter says (see <see cref="EventPositionFilter"/>).
/// </summary>
public sealed record EventPosition(EventPositionKind Kind, long Value, bool Inclusive)
{
    public static EventPosition Earliest { get; } = new(EventPositionKind.Earliest, 0, true);

    public static EventPosition Latest { get; } = new(EventPositionKind.Latest, 0, false);
}

/// <summary>A partition's runtime information, as the $management READ of a partition answers it.</summary>
public sealed record PartitionInfo(
    string PartitionId,
    long BeginSequenceNumber,
    long LastSequenceNumber,
    long LastOffset,
    DateTimeOffset LastEnqueuedTime,
    bool IsEmpty);
