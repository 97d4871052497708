using System.Globalization;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;

namespace RetailEdge.Delta.Storage;

/// <summary>
/// Add-action stats as Spark and delta-rs write them: numRecords, per-column nullCount, and
/// min/max for orderable primitives (strings truncated to 32 characters, timestamps to
/// milliseconds with the max rounded up). Computed by DuckDB aggregates, either over a written
/// Parquet file or, grouped by file, over the staged rows that go into the files (the same
/// values, cast to the schema, in one query for all partitions).
/// </summary>
internal static class ParquetFileStats
{
    /// <summary>Stats of one Parquet file, read back from the file.</summary>
    public static DeltaFileStats Compute(DuckDBConnection connection, string localFile, IReadOnlyList<DeltaField> dataColumns)
    {
        var plan = Plan(dataColumns);
        using var result = connection.Query($"SELECT {string.Join(", ", Expressions(plan))} FROM read_parquet({DuckDbSql.Literal(localFile)})");
        if (!result.Read())
        {
            throw new DeltaException($"no stats row for {localFile}");
        }
        return Read(result, 0, plan);
    }

    /// <summary>Which columns get stats and whether they get min/max (nested columns get none, booleans and binaries no bounds).</summary>
    public static List<(DeltaField Field, bool MinMax)> Plan(IReadOnlyList<DeltaField> dataColumns) =>
        [.. dataColumns.Where(f => f.Type.IsPrimitive).Select(f => (f, f.Type.Name is not ("boolean" or "binary")))];

    /// <summary>The aggregates, in the order <see cref="Read"/> expects: count(*), then per column nulls [, min, max].</summary>
    public static List<string> Expressions(List<(DeltaField Field, bool MinMax)> plan)
    {
        var select = new List<string> { "count(*)" };
        foreach (var (field, minMax) in plan)
        {
            var column = DuckDbSql.Identifier(field.Name);
            select.Add($"count(*) - count({column})");
            if (minMax)
            {
                select.Add(MinMaxExpression("min", column, field.Type));
                select.Add(MinMaxExpression("max", column, field.Type));
            }
        }
        return select;
    }

    /// <summary>Stats from the aggregates of <see cref="Expressions"/> starting at column <paramref name="offset"/>.</summary>
    public static DeltaFileStats Read(DuckDBDataReader result, int offset, List<(DeltaField Field, bool MinMax)> plan)
    {
        var numRecords = result.GetInt64(offset);
        var min = new JsonObject();
        var max = new JsonObject();
        var nulls = new JsonObject();
        var i = offset + 1;
        foreach (var (field, minMax) in plan)
        {
            nulls[field.Name] = result.GetInt64(i++);
            if (!minMax)
            {
                continue;
            }
            var low = ToJson(result, i++, field.Type, upper: false);
            var high = ToJson(result, i++, field.Type, upper: true);
            // a bound that cannot be expressed (NaN, all nulls) is left out: readers then skip nothing
            if (low is not null && high is not null)
            {
                min[field.Name] = low;
                max[field.Name] = high;
            }
        }
        return new DeltaFileStats(numRecords, min, max, nulls);
    }

    private static string MinMaxExpression(string function, string column, DeltaType type) => type.Name switch
    {
        "byte" or "short" or "integer" or "long" => $"CAST({function}({column}) AS BIGINT)",
        "float" or "double" => $"CAST({function}({column}) AS DOUBLE)",
        "timestamp" => $"epoch_us({function}({column}))",
        _ => $"CAST({function}({column}) AS VARCHAR)",
    };

    private static JsonNode? ToJson(DuckDBDataReader result, int column, DeltaType type, bool upper)
    {
        if (result.IsDBNull(column))
        {
            return null;
        }
        switch (type.Name)
        {
            case "byte" or "short" or "integer" or "long":
                return JsonValue.Create(result.GetInt64(column));
            case "float" or "double":
            {
                var d = result.GetDouble(column);
                return double.IsFinite(d) ? JsonValue.Create(d) : null;
            }
            case "timestamp":
            {
                var micros = result.GetInt64(column);
                // stats hold milliseconds: floor the min, ceil the max so the bounds still hold
                var millis = upper ? (long)Math.Ceiling(micros / 1000.0) : (long)Math.Floor(micros / 1000.0);
                return JsonValue.Create(DateTimeOffset.FromUnixTimeMilliseconds(millis).UtcDateTime
                    .ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            }
            case "string":
            {
                var s = result.GetString(column);
                var bound = upper ? DeltaFileStats.TruncateMax(s) : DeltaFileStats.TruncateMin(s);
                return bound is null ? null : JsonValue.Create(bound);
            }
            case "date":
                return JsonValue.Create(result.GetString(column));
            default:
                if (type.DecimalParameters is not null)
                {
                    return JsonValue.Create(decimal.Parse(result.GetString(column), NumberStyles.Float, CultureInfo.InvariantCulture));
                }
                return null;
        }
    }
}
