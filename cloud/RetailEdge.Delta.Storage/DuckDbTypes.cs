using System.Globalization;

namespace RetailEdge.Delta.Storage;

/// <summary>Maps Delta types to DuckDB types (timestamps are UTC instants: TIMESTAMPTZ with TimeZone=UTC).</summary>
public static class DuckDbTypes
{
    public static string ToDuckDb(DeltaType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.DecimalParameters is { } d)
        {
            return string.Create(CultureInfo.InvariantCulture, $"DECIMAL({d.Precision},{d.Scale})");
        }
        return type.Name switch
        {
            "string" => "VARCHAR",
            "long" => "BIGINT",
            "integer" => "INTEGER",
            "short" => "SMALLINT",
            "byte" => "TINYINT",
            "float" => "FLOAT",
            "double" => "DOUBLE",
            "boolean" => "BOOLEAN",
            "binary" => "BLOB",
            "date" => "DATE",
            "timestamp" => "TIMESTAMPTZ",
            "struct" => "STRUCT(" + string.Join(", ", type.Fields.Select(f => DuckDbSql.Identifier(f.Name) + " " + ToDuckDb(f.Type))) + ")",
            "array" => ToDuckDb(type.ElementType!) + "[]",
            "map" => "MAP(" + ToDuckDb(type.KeyType!) + ", " + ToDuckDb(type.ValueType!) + ")",
            _ => throw new DeltaUnsupportedFeatureException(type.Name, $"type '{type.Name}' has no DuckDB mapping"),
        };
    }

    /// <summary>The Delta type for a DuckDB column type name (as DESCRIBE prints it), for tables created from a query.</summary>
    public static DeltaType FromDuckDb(string duckDbType)
    {
        ArgumentNullException.ThrowIfNull(duckDbType);
        var t = duckDbType.Trim().ToUpperInvariant();
        if (t.StartsWith("DECIMAL(", StringComparison.Ordinal))
        {
            var parts = t["DECIMAL(".Length..^1].Split(',');
            return DeltaType.Decimal(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        return t switch
        {
            "VARCHAR" => DeltaType.String,
            "BIGINT" => DeltaType.Long,
            "INTEGER" => DeltaType.Integer,
            "SMALLINT" => DeltaType.Short,
            "TINYINT" => DeltaType.Byte,
            "FLOAT" => DeltaType.Float,
            "DOUBLE" => DeltaType.Double,
            "BOOLEAN" => DeltaType.Boolean,
            "BLOB" => DeltaType.Binary,
            "DATE" => DeltaType.Date,
            "TIMESTAMP WITH TIME ZONE" or "TIMESTAMPTZ" or "TIMESTAMP" => DeltaType.Timestamp,
            _ => throw new DeltaException($"DuckDB type {duckDbType} has no Delta equivalent; cast it in the query"),
        };
    }
}
