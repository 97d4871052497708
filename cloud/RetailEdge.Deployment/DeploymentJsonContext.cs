using System.Text.Json.Serialization;

namespace RetailEdge.Deployment;

/// <summary>Source-generated JSON for the deployment tag (and JSON-escaped placeholder values).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeploymentRecord))]
[JsonSerializable(typeof(string))]
public sealed partial class DeploymentJsonContext : JsonSerializerContext;
