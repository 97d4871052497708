using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.Registry;

/// <summary>A hub-level shared access policy (the emulator has one: "service").</summary>
public sealed class SharedAccessPolicy
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "service";

    [JsonPropertyName("primaryKey")]
    public string PrimaryKey { get; set; } = string.Empty;
}
