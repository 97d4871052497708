using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.Service;

/// <summary>
/// IoT Hub's error body for twin and registry calls: <c>Message</c> is
/// <c>ErrorCode:&lt;Name&gt;;&lt;text&gt;</c> (the form the service SDKs map to their error types),
/// <c>ExceptionMessage</c> carries the tracking id and time (PROTOCOLS.md "Service REST").
/// </summary>
internal sealed record HubErrorBody(
    [property: JsonPropertyName("Message")] string Message,
    [property: JsonPropertyName("ExceptionMessage")] string ExceptionMessage);
