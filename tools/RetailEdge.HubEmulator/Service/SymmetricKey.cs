using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.Service;

/// <summary>The symmetric keys of an identity in registry bodies (a secret: never logged).</summary>
internal sealed class SymmetricKey
{
    [JsonPropertyName("primaryKey")]
    public string? PrimaryKey { get; set; }

    [JsonPropertyName("secondaryKey")]
    public string? SecondaryKey { get; set; }
}
