using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RetailEdge.HubEmulator.Service;

/// <summary>
/// The body of a method invocation: methodName, payload (any JSON), responseTimeoutInSeconds
/// (5–300, default 30) and connectTimeoutInSeconds (0–300, default 0), validated.
/// </summary>
internal sealed record MethodInvocationRequest(string MethodName, byte[] Payload, TimeSpan ResponseTimeout, TimeSpan ConnectTimeout)
{
    public static MethodInvocationRequest? Parse(JsonObject body, out string? error)
    {
        error = null;
        if (body["methodName"] is not JsonValue nameValue || nameValue.GetValueKind() != JsonValueKind.String
            || nameValue.GetValue<string>() is not { Length: > 0 and <= 128 } name
            || name.Any(c => c is '/' or '?' or '#' or '+' or '$' || char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            error = "methodName must be a string of 1–128 characters without '/', '?', '#', '+', '$' or spaces";
            return null;
        }
        var payload = body["payload"] is JsonNode node ? Encoding.UTF8.GetBytes(node.ToJsonString()) : Encoding.UTF8.GetBytes("null");
        if (payload.Length > ServiceRestServer.MaxMethodPayloadBytes)
        {
            error = $"the method payload is larger than {ServiceRestServer.MaxMethodPayloadBytes} bytes";
            return null;
        }
        if (!TryReadSeconds(body, "responseTimeoutInSeconds", 30, 5, 300, out var response, out error)
            || !TryReadSeconds(body, "connectTimeoutInSeconds", 0, 0, 300, out var connect, out error))
        {
            return null;
        }
        return new MethodInvocationRequest(name, payload, response, connect);
    }

    private static bool TryReadSeconds(JsonObject body, string name, int defaultSeconds, int min, int max, out TimeSpan value, out string? error)
    {
        error = null;
        value = TimeSpan.FromSeconds(defaultSeconds);
        var node = body[name];
        if (node is null)
        {
            return true;
        }
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue<int>(out var seconds) || seconds < min || seconds > max)
        {
            error = $"{name} must be a whole number of seconds between {min} and {max}";
            return false;
        }
        value = TimeSpan.FromSeconds(seconds);
        return true;
    }
}
