using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.Service;

/// <summary>A module as the registry REST API reads and writes it (PUT body and GET answer).</summary>
internal sealed class RegistryModule
{
    [JsonPropertyName("moduleId")]
    public string? ModuleId { get; set; }

    [JsonPropertyName("deviceId")]
    public string? DeviceId { get; set; }

    [JsonPropertyName("managedBy")]
    public string? ManagedBy { get; set; }

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
