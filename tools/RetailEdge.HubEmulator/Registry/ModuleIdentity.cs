using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.Registry;

/// <summary>A module identity of a device, with its own symmetric key.</summary>
public sealed class ModuleIdentity
{
    [JsonPropertyName("moduleId")]
    public string ModuleId { get; set; } = string.Empty;

    [JsonPropertyName("primaryKey")]
    public string PrimaryKey { get; set; } = string.Empty;

    [JsonPropertyName("generationId")]
    public string GenerationId { get; set; } = string.Empty;
}
