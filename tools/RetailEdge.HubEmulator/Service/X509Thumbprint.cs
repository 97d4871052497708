using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.Service;

/// <summary>X.509 thumbprints in registry bodies: always empty here (the emulator serves SAS identities only).</summary>
internal sealed class X509Thumbprint
{
    [JsonPropertyName("primaryThumbprint")]
    public string? PrimaryThumbprint { get; set; }

    [JsonPropertyName("secondaryThumbprint")]
    public string? SecondaryThumbprint { get; set; }
}
