using System.Text.Json.Serialization;

namespace RetailEdge.Deployment;

/// <summary>Source-generated JSON for the deployment tag.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeploymentRecord))]
public sealed partial class DeploymentJsonContext : JsonSerializerContext;
