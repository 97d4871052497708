using System.Text.Json.Serialization;
using RetailEdge.HubEmulator.Registry;

namespace RetailEdge.HubEmulator.Service;

/// <summary>Source-generated JSON for the registry REST contracts and error bodies (tolerant reads: unknown members are ignored).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(HubErrorBody))]
[JsonSerializable(typeof(RegistryDevice))]
[JsonSerializable(typeof(List<RegistryDevice>))]
[JsonSerializable(typeof(RegistryModule))]
[JsonSerializable(typeof(List<RegistryModule>))]
[JsonSerializable(typeof(RegistryStatistics))]
[JsonSerializable(typeof(ConsumerGroupInfo))]
[JsonSerializable(typeof(List<ConsumerGroupInfo>))]
internal sealed partial class ServiceJsonContext : JsonSerializerContext;
