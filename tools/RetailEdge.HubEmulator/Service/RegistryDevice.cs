using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.Service;

/// <summary>A device as the registry REST API reads and writes it (PUT body and GET answer).</summary>
internal sealed class RegistryDevice : RegistryIdentity
{
    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonPropertyName("statusReason")]
    public string? StatusReason { get; set; }

    [JsonPropertyName("statusUpdatedTime")]
    public DateTimeOffset? StatusUpdatedTime { get; set; }

    [JsonPropertyName("capabilities")]
    public DeviceCapabilities? Capabilities { get; set; }
}
