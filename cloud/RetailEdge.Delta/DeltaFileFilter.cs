using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RetailEdge.Delta.Actions;

namespace RetailEdge.Delta;

/// <summary>
/// A condition a query puts on one column — equal to one of some values, or within an inclusive
/// range — used to skip data files that cannot hold a matching row (PROTOCOL.md "Per-file
/// Statistics"): by the file's partition value for partition columns, by its minValues/maxValues
/// for data columns. Skipping is conservative: a file without usable statistics is kept, and the
/// query still applies its own WHERE to the rows read. Values are given as the log writes them:
/// numbers invariant, dates yyyy-MM-dd, timestamps ISO-8601 UTC with milliseconds, strings as is.
/// </summary>
public sealed record DeltaFileFilter
{
    private DeltaFileFilter(string column, IReadOnlyCollection<string>? values, string? min, string? max)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        Column = column;
        Values = values;
        Min = min;
        Max = max;
    }

    public string Column { get; }

    /// <summary>The values the column must equal one of, or null for a range.</summary>
    public IReadOnlyCollection<string>? Values { get; }

    /// <summary>Inclusive lower bound (null: none), when <see cref="Values"/> is null.</summary>
    public string? Min { get; }

    /// <summary>Inclusive upper bound (null: none), when <see cref="Values"/> is null.</summary>
    public string? Max { get; }

    /// <summary>column IN (values).</summary>
    public static DeltaFileFilter In(string column, IEnumerable<string> values) =>
        new(column, [.. values ?? throw new ArgumentNullException(nameof(values))], null, null);

    /// <summary>min ≤ column ≤ max; either bound may be null (open).</summary>
    public static DeltaFileFilter Between(string column, string? min, string? max) => new(column, null, min, max);

    /// <summary>The files that may hold rows matching every filter, in their original order.</summary>
    public static IReadOnlyList<AddAction> Select(IEnumerable<AddAction> files, DeltaSchema schema, IReadOnlyList<string> partitionColumns,
        IReadOnlyList<DeltaFileFilter> filters)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(filters);
        return filters.Count == 0 ? [.. files] : [.. files.Where(f => filters.All(filter => filter.MayMatch(f, schema, partitionColumns)))];
    }

    /// <summary>False only when the file provably holds no row with a matching value in <see cref="Column"/>.</summary>
    public bool MayMatch(AddAction file, DeltaSchema schema, IReadOnlyList<string> partitionColumns)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(partitionColumns);
        if (partitionColumns.Any(c => string.Equals(c, Column, StringComparison.OrdinalIgnoreCase)))
        {
            var value = file.PartitionValues.FirstOrDefault(kv => string.Equals(kv.Key, Column, StringComparison.OrdinalIgnoreCase)).Value;
            if (string.IsNullOrEmpty(value))
            {
                return false; // a NULL (or empty = null) partition value equals nothing
            }
            // partition values are text in the log; numbers compare as numbers, like their stats
            JsonNode bound = IsNumeric(schema.Find(Column)?.Type) && decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                ? JsonValue.Create(number)
                : JsonValue.Create(value);
            return Overlaps(bound, bound);
        }
        if (file.ParsedStats is not { } stats)
        {
            return true;
        }
        if (stats.NumRecords == 0 || (Count(stats.NullCount[Column]) is { } nulls && nulls >= stats.NumRecords))
        {
            return false; // no rows, or only NULLs, which equal nothing
        }
        var low = stats.MinValues[Column];
        var high = stats.MaxValues[Column];
        return low is null || high is null || Overlaps(low, high);
    }

    private bool Overlaps(JsonNode low, JsonNode high)
    {
        if (Values is not null)
        {
            return Values.Any(v => Compare(low, v) is not > 0 && Compare(high, v) is not < 0);
        }
        return (Max is null || Compare(low, Max) is not > 0) && (Min is null || Compare(high, Min) is not < 0);
    }

    /// <summary>Sign of bound − value; null when they cannot be compared (then nothing is skipped).</summary>
    private static int? Compare(JsonNode bound, string value)
    {
        if (bound is not JsonValue json)
        {
            return null;
        }
        if (json.GetValueKind() == JsonValueKind.Number)
        {
            return decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                && json.TryGetValue(out decimal boundNumber)
                ? boundNumber.CompareTo(number)
                : null;
        }
        return json.TryGetValue(out string? text) ? Math.Sign(string.CompareOrdinal(text, value)) : null;
    }

    private static bool IsNumeric(DeltaType? type) =>
        type is not null && (type.DecimalParameters is not null || type.Name is "byte" or "short" or "integer" or "long" or "float" or "double");

    private static long? Count(JsonNode? node) => node is JsonValue value && value.TryGetValue(out long count) ? count : null;
}
