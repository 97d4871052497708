namespace RetailEdge.StoreGateway.Core;

/// <summary>An event row read back from the journal when rebuilding state.</summary>
public sealed record JournaledEvent(long Tag, byte[] Json, DateTimeOffset ReceivedAt, bool IsSealed, bool AlertsSealed);
