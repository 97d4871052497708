using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.Service;

/// <summary>What IoT Hub's registry REST API says of a device and of a module alike.</summary>
internal abstract class RegistryIdentity
{
    [JsonPropertyName("deviceId")]
    public string? DeviceId { get; set; }

    [JsonPropertyName("generationId")]
    public string? GenerationId { get; set; }

    [JsonPropertyName("etag")]
    public string? ETag { get; set; }

    [JsonPropertyName("connectionState")]
    public string? ConnectionState { get; set; }

    [JsonPropertyName("connectionStateUpdatedTime")]
    public DateTimeOffset? ConnectionStateUpdatedTime { get; set; }

    [JsonPropertyName("lastActivityTime")]
    public DateTimeOffset? LastActivityTime { get; set; }

    [JsonPropertyName("cloudToDeviceMessageCount")]
    public int CloudToDeviceMessageCount { get; set; }

    [JsonPropertyName("authentication")]
    public AuthenticationMechanism? Authentication { get; set; }
}
