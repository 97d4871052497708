using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.Registry;

/// <summary>The registry file: the hub's service policy and its device and module identities.</summary>
public sealed class RegistryDocument
{
    [JsonPropertyName("hubName")]
    public string HubName { get; set; } = string.Empty;

    [JsonPropertyName("servicePolicy")]
    public SharedAccessPolicy ServicePolicy { get; set; } = new();

    /// <summary>Consumer groups of the built-in Event Hubs endpoint besides $Default.</summary>
    [JsonPropertyName("consumerGroups")]
    public List<string> ConsumerGroups { get; set; } = [];

    [JsonPropertyName("devices")]
    public List<DeviceIdentity> Devices { get; set; } = [];
}
