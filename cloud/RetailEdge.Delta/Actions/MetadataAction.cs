namespace RetailEdge.Delta.Actions;

/// <summary>The `metaData` action: table id, schema (Spark StructType JSON), partition columns, configuration.</summary>
public sealed record MetadataAction(
    string Id,
    string SchemaString,
    IReadOnlyList<string> PartitionColumns,
    IReadOnlyDictionary<string, string?> Configuration,
    long? CreatedTime = null,
    string? Name = null,
    string? Description = null,
    string FormatProvider = "parquet") : DeltaAction
{
    private DeltaSchema? _schema;

    /// <summary>The parsed schema (parsed once, on first use).</summary>
    public DeltaSchema Schema => _schema ??= DeltaSchema.Parse(SchemaString);
}
