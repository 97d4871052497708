using System.Text.Json;

namespace RetailEdge.Contracts.Twin;

/// <summary>
/// StoreGateway's settings from its module twin's desired properties (ARCHITECTURE.md §6). Durations
/// are whole seconds on the wire (twin values are JSON numbers) and <see cref="TimeSpan"/> here.
/// </summary>
public sealed record GatewaySettings
{
    /// <summary>Twin desired properties are at most 32 KB in total (PROTOCOLS.md).</summary>
    public const int MaxDesiredBytes = 32 * 1024;

    /// <summary>IoT Hub's message limit is 256 KB including properties; stay well under it.</summary>
    public const int HardMaxBatchBytes = 200 * 1024;

    public const string CompressionGzip = "gzip";
    public const string CompressionNone = "none";
    public const string DropOldest = "drop_oldest";
    public const string RejectNew = "reject_new";

    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The age (receive time minus event time) beyond which an accepted event is counted as late. It
    /// only flags: a late event is journaled, aggregated and sent like any other, as another partial
    /// row of its window (every section is additive), never dropped.
    /// </summary>
    public TimeSpan AllowedLateness { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// How long after its end a window's rows are sealed: the watermark (the newer of the gateway clock
    /// and the newest event time) must pass the window's end plus this grace, so that the events of the
    /// window's last seconds still in flight from the lanes make it into the first row.
    /// </summary>
    public TimeSpan SealGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Zero (the default): data batches go out as soon as a window is sealed. A positive value holds the
    /// sealed rows until the oldest of them was received this long ago (or the size target is reached),
    /// for stores that trade freshness for fewer, fuller messages.
    /// </summary>
    public TimeSpan SendInterval { get; init; } = TimeSpan.Zero;

    /// <summary>Seal a batch when its JSON (before gzip) reaches this size.</summary>
    public int MaxBatchBytes { get; init; } = 64 * 1024;

    public string Compression { get; init; } = CompressionGzip;

    public bool ForwardRaw { get; init; }

    public int RetentionDays { get; init; } = 7;

    public int DiskBudgetMb { get; init; } = 1024;

    /// <summary>What goes when the disk budget is reached: drop_oldest unsent batches (alerts last) or reject_new events.</summary>
    public string DropPolicy { get; init; } = DropOldest;

    public bool LowStockAlerts { get; init; } = true;

    /// <summary>Relative difference between POS and catalogue unit price that raises price_mismatch.</summary>
    public decimal PriceMismatchTolerance { get; init; } = 0.01m;

    public static GatewaySettings Default { get; } = new();

    /// <summary>
    /// Applies a desired-properties document or patch on top of <paramref name="current"/>. Returns
    /// the new settings, or an error naming the offending property (the caller keeps
    /// <paramref name="current"/> and reports the error as configError). Keys starting with '$' and
    /// <c>referenceData</c> are not settings and are skipped. Never throws on bad input.
    /// </summary>
    public static (GatewaySettings? Settings, string? Error) Apply(GatewaySettings current, JsonElement desired)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (desired.ValueKind != JsonValueKind.Object)
        {
            return (null, "desired properties must be a JSON object");
        }
        // Bytes as received: GetRawText would transcode, and throw on bytes that are not UTF-8.
        var size = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(desired).Length;
        if (size > MaxDesiredBytes)
        {
            return (null, $"desired properties are {size} bytes, more than the twin limit of {MaxDesiredBytes}");
        }
        var next = current;
        foreach (var property in desired.EnumerateObject())
        {
            if (!HasReadableName(property))
            {
                return (null, "a desired property name is not readable text (an escaped lone surrogate)");
            }
            var value = property.Value;
            string? error = null;
            switch (property.Name)
            {
                case "windowSeconds":
                    error = Int(value, 10, 3600, out var window);
                    if (error is null && !IsWindowLength(window))
                    {
                        error = "must divide a minute (10, 12, 15, 20 or 30) or be a whole number of minutes (a multiple of 60)";
                    }
                    if (error is null)
                    {
                        next = next with { Window = TimeSpan.FromSeconds(window) };
                    }
                    break;
                case "allowedLatenessSeconds":
                    error = Int(value, 0, 7 * 86400, out var lateness);
                    next = error is null ? next with { AllowedLateness = TimeSpan.FromSeconds(lateness) } : next;
                    break;
                case "sealGraceSeconds":
                    error = Int(value, 0, 600, out var grace);
                    next = error is null ? next with { SealGrace = TimeSpan.FromSeconds(grace) } : next;
                    break;
                case "sendIntervalSeconds":
                    error = Int(value, 0, 3600, out var send);
                    next = error is null ? next with { SendInterval = TimeSpan.FromSeconds(send) } : next;
                    break;
                case "maxBatchBytes":
                    error = Int(value, 4096, HardMaxBatchBytes, out var bytes);
                    next = error is null ? next with { MaxBatchBytes = bytes } : next;
                    break;
                case "compression":
                    error = OneOf(value, [CompressionGzip, CompressionNone], out var compression);
                    next = error is null ? next with { Compression = compression! } : next;
                    break;
                case "forwardRaw":
                    error = Bool(value, out var raw);
                    next = error is null ? next with { ForwardRaw = raw } : next;
                    break;
                case "retentionDays":
                    error = Int(value, 1, 365, out var days);
                    next = error is null ? next with { RetentionDays = days } : next;
                    break;
                case "diskBudgetMb":
                    error = Int(value, 16, 1_000_000, out var budget);
                    next = error is null ? next with { DiskBudgetMb = budget } : next;
                    break;
                case "dropPolicy":
                    error = OneOf(value, [DropOldest, RejectNew], out var policy);
                    next = error is null ? next with { DropPolicy = policy! } : next;
                    break;
                case "lowStockAlerts":
                    error = Bool(value, out var alerts);
                    next = error is null ? next with { LowStockAlerts = alerts } : next;
                    break;
                case "priceMismatchTolerance":
                    if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var tolerance) && tolerance is >= 0m and <= 1m)
                    {
                        next = next with { PriceMismatchTolerance = tolerance };
                    }
                    else
                    {
                        error = "must be a number from 0 to 1";
                    }
                    break;
                case "referenceData":
                    break;
                default:
                    if (property.Name.StartsWith('$'))
                    {
                        break;
                    }
                    error = "is not a StoreGateway setting";
                    break;
            }
            if (error is not null)
            {
                var name = property.Name.Length > 64 ? property.Name[..64] + "…" : property.Name;
                return (null, $"{name}: {error}");
            }
        }
        return (next, null);
    }

    /// <summary>
    /// These settings as a desired-properties document, every setting under the name <see cref="Apply"/>
    /// reads, so that applying it to any settings gives these back (the gateway keeps its last applied
    /// settings this way across restarts).
    /// </summary>
    public string ToDesiredJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("windowSeconds", (int)Window.TotalSeconds);
            writer.WriteNumber("allowedLatenessSeconds", (int)AllowedLateness.TotalSeconds);
            writer.WriteNumber("sealGraceSeconds", (int)SealGrace.TotalSeconds);
            writer.WriteNumber("sendIntervalSeconds", (int)SendInterval.TotalSeconds);
            writer.WriteNumber("maxBatchBytes", MaxBatchBytes);
            writer.WriteString("compression", Compression);
            writer.WriteBoolean("forwardRaw", ForwardRaw);
            writer.WriteNumber("retentionDays", RetentionDays);
            writer.WriteNumber("diskBudgetMb", DiskBudgetMb);
            writer.WriteString("dropPolicy", DropPolicy);
            writer.WriteBoolean("lowStockAlerts", LowStockAlerts);
            writer.WriteNumber("priceMismatchTolerance", PriceMismatchTolerance);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Window lengths that tile both a minute and a day: shorter windows (down to 10 s) for stores that want
    /// sales in gold within seconds — gold.sales_per_minute adds them up per minute — or whole minutes.
    /// </summary>
    public static bool IsWindowLength(int seconds) => seconds >= 10 && (60 % seconds == 0 || seconds % 60 == 0);

    private static string? Int(JsonElement value, int min, int max, out int result)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out result) && result >= min && result <= max)
        {
            return null;
        }
        result = 0;
        return $"must be a whole number from {min} to {max}";
    }

    private static string? Bool(JsonElement value, out bool result)
    {
        result = value.ValueKind == JsonValueKind.True;
        return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : "must be true or false";
    }

    private static bool HasReadableName(JsonProperty property)
    {
        try
        {
            return property.Name.Length >= 0;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string? OneOf(JsonElement value, string[] allowed, out string? result)
    {
        result = JsonText.StringOrNull(value);
        return result is not null && allowed.Contains(result) ? null : "must be one of " + string.Join(", ", allowed);
    }
}
