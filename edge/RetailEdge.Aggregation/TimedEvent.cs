using RetailEdge.Contracts.Events;

namespace RetailEdge.Aggregation;

/// <summary>An event as the gateway received it: arrival order and receive time matter for the watermark.</summary>
public readonly record struct TimedEvent(StoreEvent Event, DateTimeOffset ReceivedAt);
