using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.Service;

/// <summary>The <c>authentication</c> member of registry bodies: type "sas" with symmetric keys.</summary>
internal sealed class AuthenticationMechanism
{
    public const string Sas = "sas";

    [JsonPropertyName("symmetricKey")]
    public SymmetricKey? SymmetricKey { get; set; }

    [JsonPropertyName("x509Thumbprint")]
    public X509Thumbprint? X509Thumbprint { get; set; }

    [JsonPropertyName("type")]
    public string? Type { get; set; }
}
