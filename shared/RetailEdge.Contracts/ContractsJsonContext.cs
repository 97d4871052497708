using System.Text.Json.Serialization;
using RetailEdge.Contracts.Twin;

namespace RetailEdge.Contracts;

/// <summary>Source-generated JSON for the twin shapes (camelCase, nulls omitted).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GatewayReportedProperties))]
[JsonSerializable(typeof(Dictionary<string, int>))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
