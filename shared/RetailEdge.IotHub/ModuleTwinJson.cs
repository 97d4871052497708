using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace RetailEdge.IotHub;

/// <summary>Source-generated JSON metadata for twin documents (no reflection).</summary>
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class ModuleTwinJson : JsonSerializerContext;
