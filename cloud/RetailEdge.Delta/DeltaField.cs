using System.Text.Json.Nodes;

namespace RetailEdge.Delta;

/// <summary>A column of a Delta schema.</summary>
public sealed record DeltaField(string Name, DeltaType Type, bool Nullable = true, JsonObject? Metadata = null);
