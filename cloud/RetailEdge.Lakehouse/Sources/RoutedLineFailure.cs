using System.Text.Json;
using System.Text.Json.Serialization;

namespace RetailEdge.Lakehouse;

/// <summary>
/// Why a routed line is not a routing record, as the lander keeps it in bronze.telemetry's
/// <c>properties</c> column of that line (a malformed line has no properties of its own), so the
/// refiner quarantines it under the same reason. <see cref="Bytes"/> and <see cref="Sha256"/>
/// describe the whole line when only a bounded sample of it was kept (an oversize line).
/// </summary>
public sealed record RoutedLineFailure(
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("sha256")] string? Sha256)
{
    public string ToJson() => JsonSerializer.Serialize(this, LakehouseJsonContext.Default.RoutedLineFailure);

    /// <summary>The failure a lander recorded, or null for rows landed before failures were recorded.</summary>
    public static RoutedLineFailure? TryParse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(json, LakehouseJsonContext.Default.RoutedLineFailure);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
