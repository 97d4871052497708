using System.Globalization;

namespace RetailEdge.Delta.Storage;

/// <summary>
/// Partition values are strings in the log (PROTOCOL.md "Partition Value Serialization"): dates
/// yyyy-MM-dd, timestamps either "yyyy-MM-dd HH:mm:ss[.ffffff]" or ISO-8601 UTC. This gives one
/// canonical text per value so values from different writers compare and cast alike.
/// </summary>
public static class PartitionValueFormat
{
    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss",
    ];

    /// <summary>The canonical text of a partition value of <paramref name="type"/>; null stays null.</summary>
    public static string? Normalize(DeltaType type, string? value)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (value is null)
        {
            return null;
        }
        if (type.Name == "timestamp")
        {
            // values without an offset are read as UTC (our writers and Spark in UTC sessions)
            if (DateTimeOffset.TryParseExact(value, TimestampFormats, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var ts))
            {
                return ts.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
            }
            throw new DeltaException($"partition value '{value}' is not a timestamp");
        }
        return value;
    }
}
