using RetailEdge.Delta;

namespace RetailEdge.Lakehouse;

/// <summary>A lake table: `layer.name` at `{lake root}/{layer}/{name}` (ARCHITECTURE.md §9), its columns and its partition column.</summary>
public sealed record LakeTableDefinition(string Layer, string Name, IReadOnlyList<LakeColumn> Columns, string? PartitionColumn)
{
    /// <summary>`layer.name`, e.g. silver.item_window.</summary>
    public string FullName => Layer + "." + Name;

    /// <summary>The table's folder relative to the lake root.</summary>
    public string RelativePath => Layer + "/" + Name;

    /// <summary>A SQL-friendly name for views: silver_item_window.</summary>
    public string ViewName => Layer + "_" + Name;

    public IEnumerable<LakeColumn> DataColumns => Columns.Where(c => c.Name != PartitionColumn);

    public LakeColumn Column(string name) =>
        Columns.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentException($"{FullName} has no column {name}", nameof(name));

    public DeltaSchema ToDeltaSchema() => new([.. Columns.Select(c => new DeltaField(c.Name, c.DeltaType, c.Nullable))]);

    /// <summary>CREATE TABLE column list in DuckDB types.</summary>
    public string DuckDbColumnList() => string.Join(", ", Columns.Select(c => $"\"{c.Name}\" {c.DuckDbType}"));
}
