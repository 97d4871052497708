using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.Registry;

/// <summary>A device identity with its symmetric key and its module identities.</summary>
public sealed class DeviceIdentity
{
    [JsonPropertyName("deviceId")]
    public string DeviceId { get; set; } = string.Empty;

    [JsonPropertyName("primaryKey")]
    public string PrimaryKey { get; set; } = string.Empty;

    [JsonPropertyName("generationId")]
    public string GenerationId { get; set; } = string.Empty;

    [JsonPropertyName("modules")]
    public List<ModuleIdentity> Modules { get; set; } = [];
}
