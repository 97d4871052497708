using System.Text.Json.Serialization;

namespace RetailEdge.Processor;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ProcessorHealthReport))]
internal sealed partial class ProcessorJsonContext : JsonSerializerContext;
