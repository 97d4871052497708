using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.Service;

/// <summary>A consumer group of the built-in endpoint as the REST API shows it (name and resource type, as Azure's management API names them).</summary>
public sealed record ConsumerGroupInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type)
{
    public const string ResourceType = "Microsoft.Devices/IotHubs/EventHubEndpoints/ConsumerGroups";

    public static ConsumerGroupInfo Of(string name) => new(name, ResourceType);
}
