using RetailEdge.Delta;

namespace RetailEdge.Lakehouse;

/// <summary>One column of a lake table: its DuckDB type (staging and SQL) and its Delta type (the log's schema).</summary>
public sealed record LakeColumn(string Name, string DuckDbType, DeltaType DeltaType, bool Nullable = true);
