namespace RetailEdge.StoreGateway.Core;

/// <summary>A direct method's answer: an HTTP-like status and a JSON payload.</summary>
public sealed record HubMethodResult(int Status, byte[] Payload);
