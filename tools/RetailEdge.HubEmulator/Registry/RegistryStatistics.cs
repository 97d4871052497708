using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.Registry;

/// <summary>GET /statistics/devices: device counts of the registry.</summary>
public sealed record RegistryStatistics(
    [property: JsonPropertyName("totalDeviceCount")] long TotalDeviceCount,
    [property: JsonPropertyName("enabledDeviceCount")] long EnabledDeviceCount,
    [property: JsonPropertyName("disabledDeviceCount")] long DisabledDeviceCount);
