using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.Service;

/// <summary>A module as the registry REST API reads and writes it (PUT body and GET answer).</summary>
internal sealed class RegistryModule : RegistryIdentity
{
    [JsonPropertyName("moduleId")]
    public string? ModuleId { get; set; }

    [JsonPropertyName("managedBy")]
    public string? ManagedBy { get; set; }
}
