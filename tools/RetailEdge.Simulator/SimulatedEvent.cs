using RetailEdge.Contracts.Events;

namespace RetailEdge.Simulator;

/// <summary>
/// One message as a store's gateway receives it.
/// </summary>
/// <param name="ArrivalTime">When it reaches the gateway (the event time, except for delayed faults), in the store's offset.</param>
/// <param name="StoreId">The store whose gateway receives it (a wrong_store fault carries another id inside).</param>
/// <param name="Json">The UTF-8 bytes as sent (one JSON object, no newline).</param>
/// <param name="Event">The store event; null for injected invalid events (a duplicate carries its original).</param>
/// <param name="Fault">Null for a plain valid event, else one of <see cref="FaultKinds"/>.</param>
/// <param name="ExpectedReason">The reason code a validator (plus a journal of seen ids) must give; null when it must be accepted.</param>
public sealed record SimulatedEvent(DateTimeOffset ArrivalTime, int StoreId, byte[] Json, StoreEvent? Event, string? Fault, string? ExpectedReason)
{
    /// <summary>
    /// The position of this event in its store's valid stream (0, 1, 2, …), the same whatever the
    /// fault settings; −1 for injected events that are not part of the valid stream (duplicate copies
    /// and invalid events).
    /// </summary>
    public long StoreSequence { get; init; } = -1;

    /// <summary>True when a gateway must accept it (valid, possibly delayed).</summary>
    public bool ShouldBeAccepted => ExpectedReason is null;
}
