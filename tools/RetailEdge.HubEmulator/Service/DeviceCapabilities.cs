using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.Service;

/// <summary>The <c>capabilities</c> member of a device body.</summary>
internal sealed class DeviceCapabilities
{
    [JsonPropertyName("iotEdge")]
    public bool IotEdge { get; set; }
}
