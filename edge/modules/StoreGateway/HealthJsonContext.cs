using System.Text.Json.Serialization;

namespace StoreGateway;

/// <summary>Source-generated JSON for the health document (camelCase like the twin it extends).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(GatewayHealth))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
