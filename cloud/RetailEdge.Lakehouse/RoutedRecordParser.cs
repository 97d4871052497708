using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RetailEdge.Lakehouse;

/// <summary>
/// Parses IoT Hub routed files with JSON encoding (ARCHITECTURE.md §9 "Source"): one record per
/// line with EnqueuedTimeUtc, Properties, SystemProperties and Body. The body is kept exactly as
/// sent: a string Body is base64 (any content that is not JSON in UTF-8), an object/array Body is
/// the message's JSON text itself.
/// </summary>
public static class RoutedRecordParser
{
    public static IEnumerable<RoutedRecord> Parse(ReadOnlyMemory<byte> content)
    {
        var line = 0L;
        var start = 0;
        while (start < content.Length)
        {
            var span = content.Span[start..];
            var end = span.IndexOf((byte)'\n');
            var length = end < 0 ? span.Length : end;
            var raw = content.Slice(start, length);
            start += length + 1;
            line++;
            var trimmed = raw;
            while (trimmed.Length > 0 && trimmed.Span[^1] is (byte)'\r' or (byte)' ' or (byte)'\t')
            {
                trimmed = trimmed[..^1];
            }
            if (trimmed.Length == 0)
            {
                continue;
            }
            yield return ParseLine(line, trimmed);
        }
    }

    public static RoutedRecord ParseLine(long line, ReadOnlyMemory<byte> raw)
    {
        try
        {
            using var document = JsonDocument.Parse(raw, new JsonDocumentOptions { MaxDepth = 64 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Malformed(line, raw, "record is not a JSON object");
            }
            if (!root.TryGetProperty("SystemProperties", out var system) || system.ValueKind != JsonValueKind.Object)
            {
                return Malformed(line, raw, "no SystemProperties object");
            }
            var device = String(system, "connectionDeviceId");
            if (string.IsNullOrEmpty(device))
            {
                return Malformed(line, raw, "no SystemProperties.connectionDeviceId");
            }
            if (!root.TryGetProperty("Body", out var bodyElement))
            {
                return Malformed(line, raw, "no Body");
            }
            byte[] body;
            switch (bodyElement.ValueKind)
            {
                case JsonValueKind.String:
                    if (!bodyElement.TryGetBytesFromBase64(out var decoded))
                    {
                        return Malformed(line, raw, "Body is a string but not base64");
                    }
                    body = decoded;
                    break;
                case JsonValueKind.Object or JsonValueKind.Array:
                    body = Encoding.UTF8.GetBytes(bodyElement.GetRawText());
                    break;
                default:
                    return Malformed(line, raw, "Body is neither base64 text nor JSON");
            }
            var enqueuedText = String(root, "EnqueuedTimeUtc") ?? String(system, "enqueuedTime");
            DateTimeOffset? enqueued = null;
            if (enqueuedText is not null)
            {
                if (!DateTimeOffset.TryParse(enqueuedText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                {
                    return Malformed(line, raw, "EnqueuedTimeUtc is not a timestamp");
                }
                enqueued = parsed;
            }
            var properties = root.TryGetProperty("Properties", out var props) && props.ValueKind == JsonValueKind.Object ? props.GetRawText() : "{}";
            return new RoutedRecord(line, enqueued, device, String(system, "connectionModuleId"), String(system, "messageId"),
                String(system, "contentType"), String(system, "contentEncoding"), properties, body, null);
        }
        catch (JsonException e)
        {
            return Malformed(line, raw, "not JSON: " + e.Message);
        }
    }

    private static RoutedRecord Malformed(long line, ReadOnlyMemory<byte> raw, string error) =>
        new(line, null, null, null, null, null, null, null, raw.ToArray(), error);

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
