using RetailEdge.HubEmulator.Registry;

namespace RetailEdge.HubEmulator.Routing;

/// <summary>
/// One device-to-cloud message as routing sees it: the authenticated source, the enqueue time,
/// the application properties and the system properties taken from the topic's property bag
/// ($.mid, $.cid, $.ct, $.ce), and the body bytes exactly as published.
/// </summary>
public sealed record RoutedMessage(
    IdentityKey Source,
    string GenerationId,
    DateTimeOffset EnqueuedTime,
    IReadOnlyList<KeyValuePair<string, string>> Properties,
    string? MessageId,
    string? CorrelationId,
    string? ContentType,
    string? ContentEncoding,
    ReadOnlyMemory<byte> Body);
