using System.Buffers;
using System.Globalization;
using System.Text.Json;
using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.Lakehouse;

/// <summary>
/// Writes telemetry batches as IoT Hub routing records with JSON encoding (the inverse of
/// <see cref="RoutedRecordParser"/>): Body is the JSON itself for application/json + utf-8,
/// base64 otherwise. Used to replay gateway output into a source folder (tools, tests, benchmarks).
/// </summary>
public static class RoutedRecordWriter
{
    /// <summary>The blob name IoT Hub gives a routed file: {hub}/{partition}/{YYYY}/{MM}/{DD}/{HH}/{mm}.</summary>
    public static string BlobName(string hub, int partition, DateTimeOffset enqueuedUtc) =>
        string.Create(CultureInfo.InvariantCulture, $"{hub}/{partition:D2}/{enqueuedUtc.UtcDateTime:yyyy/MM/dd/HH/mm}");

    /// <summary>One routing record line (with its trailing newline) for a module's batch.</summary>
    public static byte[] Format(TelemetryBatch batch, string deviceId, string moduleId, DateTimeOffset enqueuedUtc, bool gzip)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var body = TelemetryBatchCodec.Encode(batch, gzip);
        var properties = TelemetryMessage.ApplicationProperties(batch);
        return Format(deviceId, moduleId, enqueuedUtc, properties, TelemetryMessage.MessageId(batch.Gateway, batch.Seq),
            gzip ? TelemetryMessage.GzipContentType : TelemetryMessage.JsonContentType,
            gzip ? TelemetryMessage.GzipContentEncoding : TelemetryMessage.JsonContentEncoding, body);
    }

    public static byte[] Format(string deviceId, string? moduleId, DateTimeOffset enqueuedUtc, IReadOnlyDictionary<string, string> properties,
        string? messageId, string? contentType, string? contentEncoding, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        ArgumentNullException.ThrowIfNull(properties);
        var buffer = new ArrayBufferWriter<byte>(512 + body.Length * 4 / 3);
        using (var w = new Utf8JsonWriter(buffer))
        {
            var enqueued = enqueuedUtc.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
            w.WriteStartObject();
            w.WriteString("EnqueuedTimeUtc", enqueued);
            w.WriteStartObject("Properties");
            foreach (var (key, value) in properties)
            {
                w.WriteString(key, value);
            }
            w.WriteEndObject();
            w.WriteStartObject("SystemProperties");
            w.WriteString("connectionDeviceId", deviceId);
            if (moduleId is not null)
            {
                w.WriteString("connectionModuleId", moduleId);
            }
            w.WriteString("enqueuedTime", enqueued);
            if (messageId is not null)
            {
                w.WriteString("messageId", messageId);
            }
            if (contentType is not null)
            {
                w.WriteString("contentType", contentType);
            }
            if (contentEncoding is not null)
            {
                w.WriteString("contentEncoding", contentEncoding);
            }
            w.WriteEndObject();
            w.WritePropertyName("Body");
            // IoT Hub writes the body as JSON only for application/json in UTF-8 (ARCHITECTURE.md §9 "Source")
            if (string.Equals(contentType, TelemetryMessage.JsonContentType, StringComparison.OrdinalIgnoreCase)
                && string.Equals(contentEncoding, TelemetryMessage.JsonContentEncoding, StringComparison.OrdinalIgnoreCase))
            {
                w.WriteRawValue(body);
            }
            else
            {
                w.WriteBase64StringValue(body);
            }
            w.WriteEndObject();
        }
        var line = new byte[buffer.WrittenCount + 1];
        buffer.WrittenSpan.CopyTo(line);
        line[^1] = (byte)'\n';
        return line;
    }
}
