namespace RetailEdge.StoreGateway.Core;

/// <summary>One upstream telemetry message (a sealed batch) with its IoT Hub system and application properties.</summary>
public sealed record HubMessage(
    long Seq,
    bool IsAlert,
    string MessageId,
    string ContentType,
    string ContentEncoding,
    IReadOnlyDictionary<string, string> Properties,
    ReadOnlyMemory<byte> Body);
