using System.Text.Json.Nodes;

namespace RetailEdge.IotHubService;

/// <summary>A direct method call: name, JSON payload, and how long the hub waits for the device to answer (5–300 s) and to connect (0–300 s).</summary>
public sealed record MethodInvocation(string MethodName, JsonNode? Payload = null)
{
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.Zero;
}
