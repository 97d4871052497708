namespace RetailEdge.Lakehouse.Silver;

/// <summary>
/// A telemetry section the bulk refine explodes: its JSON name, the silver table it fills (by
/// Sql/silver_{table}.sql), the codec's columns in the order that SQL reads them, and what each cell must look like.
/// </summary>
public sealed record BulkSectionSpec(string Name, LakeTableDefinition Table, IReadOnlyList<string> Columns, IReadOnlyList<Cell> Cells)
{
    public string SqlName => "silver_" + Table.Name + ".sql";
}

/// <summary>The plain cell forms DuckDB and the codec read to the same value.</summary>
public enum Cell
{
    /// <summary>A column no silver table reads: any scalar.</summary>
    Any,
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
