using System.Text.Json.Serialization;

namespace StoreGateway;

/// <summary>Source-generated JSON for the health document.</summary>
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
