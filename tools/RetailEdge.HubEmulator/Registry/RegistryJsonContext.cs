using System.Text.Json.Serialization;

namespace RetailEdge.HubEmulator.Registry;

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(RegistryDocument))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
