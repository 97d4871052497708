using System.Globalization;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;

namespace RetailEdge.Delta.Storage;

/// <summary>
/// Add-action stats as Spark and delta-rs write them: numRecords, per-column nullCount, and
/// min/max for orderable primitives (strings truncated to 32 characters, timestamps to
/// milliseconds with the max rounded up). Read from the statistics DuckDB writes into each row
/// group of the Parquet footer, so a file written is not scanned a second time; a file whose footer
/// cannot give every value exactly (missing or inexact statistics, NaN in a float column) is
/// scanned by DuckDB aggregates instead, which give the same values.
/// </summary>
internal static class ParquetFileStats
{
    /// <summary>Stats of one Parquet file: from its footer when that holds them exactly, else from a scan of the file.</summary>
    public static DeltaFileStats Compute(DuckDBConnection connection, string localFile, IReadOnlyList<DeltaField> dataColumns) =>
        FromFooter(connection, localFile, dataColumns) ?? Scan(connection, localFile, dataColumns);

    /// <summary>Stats of one Parquet file, read back from the whole file (the reference the footer must agree with).</summary>
    public static DeltaFileStats Scan(DuckDBConnection connection, string localFile, IReadOnlyList<DeltaField> dataColumns)
    {
        var plan = Plan(dataColumns);
        using var result = connection.Query($"SELECT {string.Join(", ", Expressions(plan))} FROM read_parquet({DuckDbSql.Literal(localFile)})");
        if (!result.Read())
        {
            throw new DeltaException($"no stats row for {localFile}");
        }
        return Read(result, 0, plan);
    }

    /// <summary>
    /// Stats of one Parquet file from its footer's row-group statistics, or null when the footer does not
    /// hold all of them exactly. Row groups are combined in DuckDB: rows and nulls summed, each bound cast
    /// from its text to the column's type before the min of mins and max of maxes, then put in the same
    /// form as the scan's aggregates so that <see cref="Read"/> applies the same truncation rules.
    /// </summary>
    public static DeltaFileStats? FromFooter(DuckDBConnection connection, string localFile, IReadOnlyList<DeltaField> dataColumns)
    {
        var plan = Plan(dataColumns);
        if (plan.Count == 0)
        {
            return null;
        }
        var complete = new List<string>();
        var select = new List<string>
        {
            $"CAST(coalesce(sum(row_group_num_rows) FILTER (WHERE path_in_schema = {DuckDbSql.Literal(plan[0].Field.Name)}), 0) AS BIGINT)",
        };
        foreach (var (field, minMax) in plan)
        {
            var name = DuckDbSql.Literal(field.Name);
            select.Add($"CAST(coalesce(sum(stats_null_count) FILTER (WHERE path_in_schema = {name}), 0) AS BIGINT)");
            // every row group has this column, with a null count, and exact bounds unless all its values are null
            complete.Add($"count(*) FILTER (WHERE path_in_schema = {name}) = count(DISTINCT row_group_id)");
            var exact = $"stats_null_count IS NOT NULL";
            if (minMax)
            {
                var type = DuckDbTypes.ToDuckDb(field.Type);
                var bounds = $"coalesce(min_is_exact AND max_is_exact, false) AND TRY_CAST(stats_min_value AS {type}) IS NOT NULL AND TRY_CAST(stats_max_value AS {type}) IS NOT NULL";
                if (field.Type.Name == "timestamp")
                {
                    // an instant only when the text carries its offset (a naive timestamp would be read in the session's zone)
                    bounds += @" AND regexp_matches(stats_min_value, '[+-]\d\d(:?\d\d)?$') AND regexp_matches(stats_max_value, '[+-]\d\d(:?\d\d)?$')";
                }
                exact += $" AND (stats_null_count = row_group_num_rows OR ({bounds}))";
                select.Add(MinMaxExpression("min", $"(CASE WHEN path_in_schema = {name} THEN TRY_CAST(stats_min_value AS {type}) END)", field.Type));
                select.Add(MinMaxExpression("max", $"(CASE WHEN path_in_schema = {name} THEN TRY_CAST(stats_max_value AS {type}) END)", field.Type));
            }
            complete.Add($"coalesce(bool_and({exact}) FILTER (WHERE path_in_schema = {name}), true)");
        }
        select.Insert(0, string.Join(" AND ", complete));
        using var result = connection.Query($"SELECT {string.Join(", ", select)} FROM parquet_metadata({DuckDbSql.Literal(localFile)})");
        if (!result.Read() || result.IsDBNull(0) || !result.GetBoolean(0))
        {
            return null;
        }
        return Read(result, 1, plan);
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
