namespace RetailEdge.Lakehouse.Silver;

/// <summary>
/// A telemetry section the bulk refine loads: its JSON name, the silver table it fills, the codec's
/// columns in the order of that table's own columns (after the lineage, before event_date), the
/// column whose local date is event_date, and what each cell must look like.
/// </summary>
public sealed record BulkSectionSpec(string Name, LakeTableDefinition Table, IReadOnlyList<string> Columns, int DateColumn, IReadOnlyList<Cell> Cells)
{
    /// <summary>The table's columns the section's CSV lines hold after the record index.</summary>
    public IReadOnlyList<LakeColumn> TableColumns => [.. Table.Columns.Skip(LakeTables.SilverLineage.Count)];
}

/// <summary>The plain cell forms DuckDB and the codec read to the same value.</summary>
public enum Cell
{
    Text,
    NullableText,
    ChangeType,
    Channel,
    NullableChannel,
    Timestamp,
    NullableTimestamp,
    Long,
    Int,
    Quantity,
    NullableQuantity,
    Money,
}
