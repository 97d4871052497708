namespace RetailEdge.IotHub;

/// <summary>A direct method call from the cloud.</summary>
/// <param name="Name">the method name</param>
/// <param name="Payload">the JSON payload bytes (≤ 128 KB)</param>
/// <param name="RequestId">the hub's <c>$rid</c></param>
public sealed record MethodRequest(string Name, ReadOnlyMemory<byte> Payload, string RequestId);
