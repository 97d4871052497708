using System.Text.Json.Nodes;

namespace RetailEdge.IotHubService;

/// <summary>The device's answer to a direct method: its status code and JSON payload.</summary>
public sealed record MethodResult(int Status, JsonNode? Payload);
