using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RetailEdge.HubEmulator.Routing;

/// <summary>
/// Formats one routed message as a JSON-encoded routing record, one line, as IoT Hub writes
/// to a storage endpoint with JSON encoding (PROTOCOLS.md "Routing to storage"):
/// EnqueuedTimeUtc, Properties, SystemProperties, Body. The body is written as JSON only
/// when the content type is application/json and the encoding UTF-8 (and the bytes are valid
/// JSON); otherwise base64, so no byte is lost. Pure.
/// </summary>
public static class RoutingRecordFormatter
{
    private const string TimeFormat = "yyyy-MM-ddTHH:mm:ss.fffffffZ";

    /// <summary>The record as UTF-8 bytes, terminated by '\n'.</summary>
    public static byte[] Format(RoutedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512 + message.Body.Length * 4 / 3);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, SkipValidation = false }))
        {
            var enqueued = message.EnqueuedTime.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);
            writer.WriteStartObject();
            writer.WriteString("EnqueuedTimeUtc", enqueued);
            writer.WriteStartObject("Properties");
            foreach (var (key, value) in message.Properties)
            {
                writer.WriteString(key, value);
            }
            writer.WriteEndObject();
            writer.WriteStartObject("SystemProperties");
            writer.WriteString("connectionDeviceId", message.Source.DeviceId);
            if (message.Source.ModuleId is not null)
            {
                writer.WriteString("connectionModuleId", message.Source.ModuleId);
            }
            writer.WriteString("connectionAuthMethod", AuthMethod(message.Source.ModuleId is null ? "device" : "module"));
            writer.WriteString("connectionDeviceGenerationId", message.GenerationId);
            WriteIfPresent(writer, "correlationId", message.CorrelationId);
            WriteIfPresent(writer, "contentType", message.ContentType);
            WriteIfPresent(writer, "contentEncoding", message.ContentEncoding);
            writer.WriteString("enqueuedTime", enqueued);
            WriteIfPresent(writer, "messageId", message.MessageId);
            writer.WriteEndObject();
            writer.WritePropertyName("Body");
            if (IsJsonBody(message) && IsValidJson(message.Body.Span))
            {
                writer.WriteRawValue(message.Body.Span, skipInputValidation: true);
            }
            else
            {
                writer.WriteBase64StringValue(message.Body.Span);
            }
            writer.WriteEndObject();
        }
        var line = new byte[buffer.WrittenCount + 1];
        buffer.WrittenSpan.CopyTo(line);
        line[^1] = (byte)'\n';
        return line;
    }

    /// <summary>True when routing writes the body as JSON: application/json and UTF-8.</summary>
    public static bool IsJsonBody(RoutedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var contentType = message.ContentType?.Split(';')[0].Trim();
        return string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase)
            && (string.Equals(message.ContentEncoding, "utf-8", StringComparison.OrdinalIgnoreCase)
                || string.Equals(message.ContentEncoding, "utf8", StringComparison.OrdinalIgnoreCase));
    }

    private static bool IsValidJson(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return false;
        }
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            while (reader.Read())
            {
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void WriteIfPresent(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static string AuthMethod(string scope) =>
        new StringBuilder("{\"scope\":\"").Append(scope).Append("\",\"type\":\"sas\",\"issuer\":\"iothub\",\"acceptingIpFilterRule\":null}").ToString();
}
