using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Runtime.InteropServices;
using System.Text.Json;
using RetailEdge.Contracts;

namespace RetailEdge.Lakehouse;

/// <summary>
/// Parses IoT Hub routed files with JSON encoding (ARCHITECTURE.md §9 "Source"): one record per
/// line with EnqueuedTimeUtc, Properties, SystemProperties and Body. The body is kept exactly as
/// sent: a string Body is base64 (any content that is not JSON in UTF-8), an object/array Body is
/// the message's JSON text itself. Files are read as a stream, one line at a time, and a line is
/// never held beyond <c>maxLineBytes</c>: memory stays bounded whatever the file's size.
/// </summary>
public static class RoutedRecordParser
{
    /// <summary>
    /// Default line limit: an IoT Hub message is at most 256 KB, so its routed record (base64 body plus
    /// properties) stays well under 1 MiB; a longer line cannot be a real record.
    /// </summary>
    public const int DefaultMaxLineBytes = 1024 * 1024;

    /// <summary>How much of an oversize line is kept (in bronze, then silver.quarantine) for a person to look at.</summary>
    public const int OversizeSampleBytes = 4096;

    private const int ReadChunkBytes = 64 * 1024;

    /// <summary>Every record of an in-memory file (tests, tools).</summary>
    public static IEnumerable<RoutedRecord> Parse(ReadOnlyMemory<byte> content, int maxLineBytes = DefaultMaxLineBytes)
    {
        using var stream = new MemoryStream(content.ToArray(), writable: false);
        foreach (var record in Parse(stream, maxLineBytes))
        {
            yield return record;
        }
    }

    /// <summary>
    /// Every record of a routed file, read as a stream. A line over <paramref name="maxLineBytes"/> becomes
    /// one malformed record (reason line_too_large) holding its first bytes, its size and its SHA-256.
    /// </summary>
    public static IEnumerable<RoutedRecord> Parse(Stream stream, int maxLineBytes = DefaultMaxLineBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, OversizeSampleBytes);
        var chunk = ArrayPool<byte>.Shared.Rent(ReadChunkBytes);
        var line = new ArrayBufferWriter<byte>(4096);
        IncrementalHash? oversizeHash = null;
        long oversizeBytes = 0, number = 0;
        try
        {
            int read;
            while ((read = stream.Read(chunk, 0, ReadChunkBytes)) > 0)
            {
                // offsets, not spans: a span cannot live across the yield below
                var position = 0;
                while (position < read)
                {
                    var end = chunk.AsSpan(position, read - position).IndexOf((byte)'\n');
                    var length = end < 0 ? read - position : end;
                    Take(line, chunk.AsSpan(position, length), maxLineBytes, ref oversizeHash, ref oversizeBytes);
                    if (end < 0)
                    {
                        break;
                    }
                    position += length + 1;
                    number++;
                    if (Finish(number, line, ref oversizeHash, oversizeBytes) is { } record)
                    {
                        yield return record;
                    }
                    if (line.Capacity > 4 * OversizeSampleBytes)
                    {
                        line = new ArrayBufferWriter<byte>(4096); // one long line must not pin its buffer for the rest of the file
                    }
                    else
                    {
                        line.ResetWrittenCount();
                    }
                }
            }
            if (line.WrittenCount > 0 || oversizeHash is not null)
            {
                number++;
                if (Finish(number, line, ref oversizeHash, oversizeBytes) is { } last)
                {
                    yield return last;
                }
            }
        }
        finally
        {
            oversizeHash?.Dispose();
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>Adds a piece of the current line; past the limit only a sample is kept and the rest is hashed as it streams by.</summary>
    private static void Take(ArrayBufferWriter<byte> line, ReadOnlySpan<byte> piece, int maxLineBytes, ref IncrementalHash? oversizeHash, ref long oversizeBytes)
    {
        if (oversizeHash is not null)
        {
            oversizeHash.AppendData(piece);
            oversizeBytes += piece.Length;
        }
        else if (line.WrittenCount + piece.Length > maxLineBytes)
        {
            oversizeHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            oversizeHash.AppendData(line.WrittenSpan);
            oversizeHash.AppendData(piece);
            oversizeBytes = line.WrittenCount + piece.Length;
            if (line.WrittenCount < OversizeSampleBytes)
            {
                line.Write(piece[..Math.Min(piece.Length, OversizeSampleBytes - line.WrittenCount)]);
            }
        }
        else
        {
            line.Write(piece);
        }
    }

    private static RoutedRecord? Finish(long number, ArrayBufferWriter<byte> line, ref IncrementalHash? oversizeHash, long oversizeBytes)
    {
        if (oversizeHash is not null)
        {
            var hash = Convert.ToHexStringLower(oversizeHash.GetHashAndReset());
            oversizeHash.Dispose();
            oversizeHash = null;
            var sample = line.WrittenMemory[..Math.Min(line.WrittenCount, OversizeSampleBytes)];
            return Malformed(number, sample, QuarantineReasons.LineTooLarge,
                $"line of {oversizeBytes} bytes is over the limit; first {sample.Length} bytes kept", oversizeBytes, hash);
        }
        var trimmed = line.WrittenMemory;
        while (trimmed.Length > 0 && trimmed.Span[^1] is (byte)'\r' or (byte)' ' or (byte)'\t')
        {
            trimmed = trimmed[..^1];
        }
        return trimmed.Length == 0 ? null : ParseLine(number, trimmed);
    }

    public static RoutedRecord ParseLine(long line, ReadOnlyMemory<byte> raw)
    {
        using var document = StrictJson.TryParse(raw, 64, out var duplicateKey, out var error);
        if (document is null)
        {
            return duplicateKey
                ? Malformed(line, raw, QuarantineReasons.DuplicateKey, error!)
                : Malformed(line, raw, "not JSON: " + error);
        }
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
                body = JsonMarshal.GetRawUtf8Value(bodyElement).ToArray();
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

    private static RoutedRecord Malformed(long line, ReadOnlyMemory<byte> raw, string error) =>
        Malformed(line, raw, QuarantineReasons.MalformedRecord, error, raw.Length, null);

    private static RoutedRecord Malformed(long line, ReadOnlyMemory<byte> raw, string reason, string error, long bytes = -1, string? sha256 = null) =>
        new(line, null, null, null, null, null, null, null, raw.ToArray(), error)
        {
            Failure = new RoutedLineFailure(reason, error, bytes < 0 ? raw.Length : bytes, sha256),
        };

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
