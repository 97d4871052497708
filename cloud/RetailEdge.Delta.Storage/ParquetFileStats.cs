using System.Globalization;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;

namespace RetailEdge.Delta.Storage;

/// <summary>
/// Computes add-action stats from a written Parquet file with DuckDB (so they describe exactly
/// the data on disk): numRecords, per-column nullCount, and min/max for orderable primitives
/// (strings truncated to 32 characters, timestamps to milliseconds with the max rounded up).
/// </summary>
internal static class ParquetFileStats
{
    public static DeltaFileStats Compute(DuckDBConnection connection, string localFile, IReadOnlyList<DeltaField> dataColumns)
    {
        var select = new List<string> { "count(*)" };
        var plan = new List<(DeltaField Field, bool MinMax)>();
        foreach (var field in dataColumns)
        {
            if (!field.Type.IsPrimitive)
            {
                continue; // nested stats are optional; none are collected
            }
            var column = DuckDbSql.Identifier(field.Name);
            var minMax = field.Type.Name is not ("boolean" or "binary");
            select.Add($"count(*) - count({column})");
            if (minMax)
            {
                select.Add(MinMaxExpression("min", column, field.Type));
                select.Add(MinMaxExpression("max", column, field.Type));
            }
            plan.Add((field, minMax));
        }
        using var result = connection.Query($"SELECT {string.Join(", ", select)} FROM read_parquet({DuckDbSql.Literal(localFile)})");
        if (!result.Read())
        {
            throw new DeltaException($"no stats row for {localFile}");
        }
        var numRecords = result.GetInt64(0);
        var min = new JsonObject();
        var max = new JsonObject();
        var nulls = new JsonObject();
        var i = 1;
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
