using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.Registry;

/// <summary>A module identity of a device, with its own symmetric keys and ETag.</summary>
public sealed class ModuleIdentity
{
    [JsonPropertyName("moduleId")]
    public string ModuleId { get; set; } = string.Empty;

    [JsonPropertyName("primaryKey")]
    public string PrimaryKey { get; set; } = string.Empty;

    [JsonPropertyName("secondaryKey")]
    public string SecondaryKey { get; set; } = string.Empty;

    [JsonPropertyName("generationId")]
    public string GenerationId { get; set; } = string.Empty;

    /// <summary>Changes with every update of the identity (not of its twin).</summary>
    [JsonPropertyName("etag")]
    public string ETag { get; set; } = string.Empty;

    /// <summary>"iotEdge" for modules an IoT Edge deployment manages, else null.</summary>
    [JsonPropertyName("managedBy")]
    public string? ManagedBy { get; set; }
}
