using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.Registry;

/// <summary>A device identity with its symmetric keys, status, ETag and its module identities.</summary>
public sealed class DeviceIdentity
{
    [JsonPropertyName("deviceId")]
    public string DeviceId { get; set; } = string.Empty;

    [JsonPropertyName("primaryKey")]
    public string PrimaryKey { get; set; } = string.Empty;

    [JsonPropertyName("secondaryKey")]
    public string SecondaryKey { get; set; } = string.Empty;

    [JsonPropertyName("generationId")]
    public string GenerationId { get; set; } = string.Empty;

    /// <summary>Changes with every update of the identity (not of its twin).</summary>
    [JsonPropertyName("etag")]
    public string ETag { get; set; } = string.Empty;

    /// <summary>"enabled" or "disabled".</summary>
    [JsonPropertyName("status")]
    public string Status { get; set; } = IdentitySettings.Enabled;

    /// <summary>An IoT Edge device: it has the $edgeAgent and $edgeHub modules.</summary>
    [JsonPropertyName("iotEdge")]
    public bool IotEdge { get; set; }

    [JsonPropertyName("modules")]
    public List<ModuleIdentity> Modules { get; set; } = [];
}
