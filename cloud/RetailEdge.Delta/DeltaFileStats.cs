using System.Text.Json;
using System.Text.Json.Nodes;

namespace RetailEdge.Delta;

/// <summary>
/// Per-file statistics stored as the `stats` JSON string of an add action (PROTOCOL.md "Per-file
/// Statistics"): numRecords, and per column minValues, maxValues, nullCount.
/// </summary>
public sealed record DeltaFileStats(long NumRecords, JsonObject MinValues, JsonObject MaxValues, JsonObject NullCount)
{
    /// <summary>Strings in min/max are truncated to this many characters (Spark's default prefix length).</summary>
    public const int StringPrefixLength = 32;

    /// <summary>Parses a stats string; null when it is missing numRecords or is not JSON (stats are advisory).</summary>
    public static DeltaFileStats? TryParse(string stats)
    {
        try
        {
            var node = JsonNode.Parse(stats) as JsonObject;
            if (node?["numRecords"] is not JsonValue records || !records.TryGetValue(out long numRecords))
            {
                return null;
            }
            return new DeltaFileStats(
                numRecords,
                node["minValues"] as JsonObject ?? [],
                node["maxValues"] as JsonObject ?? [],
                node["nullCount"] as JsonObject ?? []);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public string ToJsonString() => new JsonObject
    {
        ["numRecords"] = NumRecords,
        ["minValues"] = MinValues.DeepClone(),
        ["maxValues"] = MaxValues.DeepClone(),
        ["nullCount"] = NullCount.DeepClone(),
    }.ToJsonString();

    /// <summary>
    /// A truncated min bound for strings: the first 32 characters (a prefix sorts ≤ the value).
    /// </summary>
    public static string TruncateMin(string value) =>
        value.Length <= StringPrefixLength ? value : value[..StringPrefixLength];

    /// <summary>
    /// A truncated max bound for strings: the 32-character prefix with a max character appended
    /// so it still sorts ≥ every value with that prefix (as Spark does); null when that is impossible.
    /// </summary>
    public static string? TruncateMax(string value)
    {
        if (value.Length <= StringPrefixLength)
        {
            return value;
        }
        var prefix = value[..StringPrefixLength];
        // U+FFFF never occurs in valid text, so the prefix + U+FFFF is an upper bound
        return prefix + '\uffff';
    }
}
