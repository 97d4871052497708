using System.Text.Json.Serialization;

namespace RetailEdge.Lakehouse;

/// <summary>Source-generated JSON for the few shapes the jobs serialise themselves.</summary>
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(RoutedLineFailure))]
[JsonSerializable(typeof(LandedFile[]))]
internal sealed partial class LakehouseJsonContext : JsonSerializerContext;
