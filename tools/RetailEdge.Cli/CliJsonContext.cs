using System.Text.Json.Serialization;
using RetailEdge.Lakehouse.Hosting;

namespace RetailEdge.Cli;

/// <summary>Source-generated JSON for what the CLI prints for scripts (camelCase, nulls kept so every line has every key).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StoreHealthRow))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
