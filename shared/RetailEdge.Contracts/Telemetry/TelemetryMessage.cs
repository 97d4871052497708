namespace RetailEdge.Contracts.Telemetry;

/// <summary>
/// The IoT Hub message properties of a batch (ARCHITECTURE.md §5): system properties
/// <c>$.mid</c>, <c>$.ct</c>, <c>$.ce</c>; application properties <c>schema</c>, <c>storeId</c>, <c>seq</c>.
/// </summary>
public static class TelemetryMessage
{
    public const string GzipContentType = "application/vnd.retailedge.telemetry+json";
    public const string GzipContentEncoding = "gzip";
    public const string JsonContentType = "application/json";
    public const string JsonContentEncoding = "utf-8";

    public static string MessageId(string gateway, long seq) => $"{gateway}-{seq}";

    public static IReadOnlyDictionary<string, string> ApplicationProperties(TelemetryBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return new Dictionary<string, string>
        {
            ["schema"] = batch.Schema,
            ["storeId"] = batch.StoreId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["seq"] = batch.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    /// <summary>
    /// IoT Hub meters body + system property values + application property names and values in
    /// 4 KB units (PROTOCOLS.md "Limits and billing").
    /// </summary>
    public static int BillableBytes(int bodyBytes, TelemetryBatch batch, bool compressed)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var total = bodyBytes;
        total += MessageId(batch.Gateway, batch.Seq).Length;
        total += compressed ? GzipContentType.Length + GzipContentEncoding.Length : JsonContentType.Length + JsonContentEncoding.Length;
        foreach (var (key, value) in ApplicationProperties(batch))
        {
            total += key.Length + value.Length;
        }
        return total;
    }

    public static int BillableUnits(int billableBytes) => (billableBytes + 4095) / 4096;
}
