using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.Lakehouse.Silver;

/// <summary>
/// The bulk refine's admission check (pure, thread-safe): a telemetry body qualifies when
/// <see cref="TelemetryBatchCodec.Decode(ReadOnlySpan{byte}, string?)"/> would accept it and every
/// cell is in the plain form DuckDB reads to the same value (numbers without exponent and at most
/// 15 significant digits within the column's scale, canonical timestamps, non-empty strings without
/// escapes, known change types and channels). It then yields the batch header and each section's rows as
/// CSV lines DuckDB loads with the silver table's types; anything else returns null and takes the per-batch .NET
/// path, which gives the exact reason and detail. Erring towards null only costs speed.
/// </summary>
public static class BulkBatchScanner
{
    /// <summary>The sections DuckDB explodes, in <see cref="BulkSection"/> order, with the cells each silver column reads.</summary>
    public static IReadOnlyList<BulkSectionSpec> Sections { get; } =
    [
        new("items", LakeTables.ItemWindow, TelemetryBatchCodec.ItemColumns, 0,
            [Cell.Timestamp, Cell.Long, Cell.ChangeType, Cell.NullableChannel, Cell.Int, Cell.Quantity, Cell.Money, Cell.Money]),
        new("baskets", LakeTables.Basket, TelemetryBatchCodec.BasketColumns, 1,
            [Cell.Text, Cell.Timestamp, Cell.Text, Cell.Channel, Cell.NullableText, Cell.Int, Cell.Quantity, Cell.Money]),
        new("weighings", LakeTables.WeighingWindow, TelemetryBatchCodec.WeighingColumns, 0,
            [Cell.Timestamp, Cell.Text, Cell.Long, Cell.Int, Cell.Quantity, Cell.Money, Cell.Int]),
        new("snapshots", LakeTables.InventorySnapshot, TelemetryBatchCodec.SnapshotColumns, 1,
            [Cell.Text, Cell.Timestamp, Cell.Long, Cell.Quantity, Cell.NullableText]),
        new("inventory", LakeTables.InventoryPosition, TelemetryBatchCodec.InventoryColumns, 1,
            [Cell.Long, Cell.Timestamp, Cell.Quantity, Cell.NullableTimestamp, Cell.NullableQuantity]),
    ];

    private const int MaxDepth = 32;
    private const int MaxSignificantDigits = 15;

    /// <summary>The header and section lines of a qualifying body, or null (use the per-batch path).</summary>
    public static ScannedBatch? TryScan(byte[] body, string? contentEncoding, long record = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        var json = string.Equals(contentEncoding, TelemetryMessage.GzipContentEncoding, StringComparison.OrdinalIgnoreCase)
            ? TryDecompress(body)
            : body;
        // a line per batch for DuckDB: a body with line breaks (only possible as whitespace) is left to the per-batch path
        if (json is null || !Utf8.IsValid(json) || json.AsSpan().IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth, AllowDuplicateProperties = false });
            return Scan(document.RootElement, json, record);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static ScannedBatch? Scan(JsonElement root, byte[] json, long record)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.String || !schema.ValueEquals(TelemetryBatch.SchemaV1)
            || !root.TryGetProperty("storeId", out var storeElement) || !storeElement.TryGetInt32(out var storeId) || storeElement.ValueKind != JsonValueKind.Number
            || !root.TryGetProperty("gateway", out var gateway) || !IsPlainString(gateway) || StringContent(gateway).IsEmpty
            || !root.TryGetProperty("seq", out var seqElement) || seqElement.ValueKind != JsonValueKind.Number || !seqElement.TryGetInt64(out var seq) || seq < 0
            || !root.TryGetProperty("createdAt", out var createdElement) || !TryTimestamp(createdElement, out var createdAt))
        {
            return null;
        }
        string? journalId = null;
        if (root.TryGetProperty("journalId", out var journal) && journal.ValueKind != JsonValueKind.Null)
        {
            if (!IsPlainString(journal) || journal.GetString() is not { } id || !TelemetryBatchCodec.IsValidJournalId(id))
            {
                return null;
            }
            journalId = id;
        }
        var windowSeconds = 60;
        if (root.TryGetProperty("windowSeconds", out var window) && (window.ValueKind != JsonValueKind.Number || !window.TryGetInt32(out windowSeconds)))
        {
            return null;
        }
        // alerts and raw forwarding come in small batches of their own: the per-batch path keeps their exact text
        if (!IsAbsentOrEmptyArray(root, "alerts") || !IsAbsentOrEmptyArray(root, "raw") || !TryRejectCount(root, out var rejects))
        {
            return null;
        }
        var counts = new int[Sections.Count];
        var lines = new byte[]?[Sections.Count];
        var dates = new string?[Sections.Count];
        var csv = new ArrayBufferWriter<byte>(json.Length);
        for (var s = 0; s < Sections.Count; s++)
        {
            var spec = Sections[s];
            if (!root.TryGetProperty(spec.Name, out var section) || section.ValueKind == JsonValueKind.Null)
            {
                continue;
            }
            csv.ResetWrittenCount();
            if (!TryScanSection(section, spec, record, csv, out counts[s], out dates[s]))
            {
                return null;
            }
            if (counts[s] > 0)
            {
                lines[s] = csv.WrittenSpan.ToArray();
            }
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(json));
        return new ScannedBatch(storeId, journalId, seq, createdAt, windowSeconds, counts, 0, rejects, lines, hash) { SectionDates = dates };
    }

    /// <summary>
    /// Checks a section's rows and writes them as CSV lines <c>record,cells in the spec's order…,local date</c>:
    /// strings quoted (a string without escapes holds no quote), null cells empty.
    /// </summary>
    private static bool TryScanSection(JsonElement section, BulkSectionSpec spec, long record, ArrayBufferWriter<byte> csv, out int count, out string? date)
    {
        count = 0;
        date = null;
        if (section.ValueKind != JsonValueKind.Object || !section.TryGetProperty("cols", out var cols) || cols.ValueKind != JsonValueKind.Array
            || !section.TryGetProperty("rows", out var rows) || rows.ValueKind != JsonValueKind.Array)
        {
            return false;
        }
        // the codec looks columns up by name (first match), so a reader tolerates added columns and another order
        var positions = new int[spec.Columns.Count];
        Array.Fill(positions, -1);
        var index = 0;
        foreach (var col in cols.EnumerateArray())
        {
            if (!IsPlainString(col))
            {
                return false;
            }
            for (var c = 0; c < spec.Columns.Count; c++)
            {
                if (positions[c] < 0 && col.ValueEquals(spec.Columns[c]))
                {
                    positions[c] = index;
                }
            }
            index++;
        }
        if (positions.Any(p => p < 0))
        {
            return false;
        }
        var needed = positions.Max() + 1;
        Span<byte> number = stackalloc byte[24];
        record.TryFormat(number, out var recordLength, default, CultureInfo.InvariantCulture);
        // the rows are read as a token stream over their raw text (already parsed strictly once):
        // no element lookups per cell, and each cell's raw form is its span in the body
        var raw = JsonMarshal.GetRawUtf8Value(rows);
        var reader = new Utf8JsonReader(raw, new JsonReaderOptions { MaxDepth = MaxDepth });
        reader.Read(); // the rows array
        var firstDate = -1;
        Span<(int Start, int Length, JsonTokenType Type)> cells = needed <= 32 ? stackalloc (int, int, JsonTokenType)[needed] : new (int, int, JsonTokenType)[needed];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }
            var cell = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (cell >= needed)
                {
                    // a cell no column reads: any value
                    reader.Skip();
                    continue;
                }
                if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject
                    || (reader.TokenType == JsonTokenType.String && reader.ValueIsEscaped))
                {
                    // a nested value or an escaped string is never plain (None): only a column that reads it refuses the batch
                    cells[cell++] = (0, 0, JsonTokenType.None);
                    reader.Skip();
                    continue;
                }
                var start = (int)reader.TokenStartIndex;
                var length = reader.TokenType == JsonTokenType.String ? reader.ValueSpan.Length + 2 : reader.ValueSpan.Length;
                cells[cell++] = (start, length, reader.TokenType);
            }
            if (cell < needed)
            {
                return false;
            }
            csv.Write(number[..recordLength]);
            for (var c = 0; c < positions.Length; c++)
            {
                var (start, length, type) = cells[positions[c]];
                var value = raw.Slice(start, length);
                if (!IsPlain(type, value, spec.Cells[c]))
                {
                    return false;
                }
                csv.Write(","u8);
                if (type != JsonTokenType.Null)
                {
                    // strings keep their quotes: CSV quoting, and an empty string is never read as null
                    csv.Write(spec.Cells[c] is Cell.Timestamp or Cell.NullableTimestamp ? value[1..^1] : value);
                }
            }
            var (dateStart, _, _) = cells[positions[spec.DateColumn]];
            var rowDate = raw.Slice(dateStart + 1, 10);
            csv.Write(","u8);
            csv.Write(rowDate);
            csv.Write("\n"u8);
            if (count == 0)
            {
                firstDate = dateStart + 1;
            }
            else if (firstDate >= 0 && !rowDate.SequenceEqual(raw.Slice(firstDate, 10)))
            {
                firstDate = -1;
            }
            count++;
        }
        // the rows' one date (a plain timestamp's date part is ASCII yyyy-MM-dd), which the write expects as their partition
        date = count > 0 && firstDate >= 0 ? Encoding.ASCII.GetString(raw.Slice(firstDate, 10)) : null;
        return true;
    }

    /// <summary>Whether a cell (its token type and raw text, strings with their quotes) is in the plain form of <paramref name="kind"/>.</summary>
    private static bool IsPlain(JsonTokenType type, ReadOnlySpan<byte> raw, Cell kind)
    {
        var isNull = type == JsonTokenType.Null;
        var isString = type == JsonTokenType.String;
        var content = isString ? raw[1..^1] : default;
        return kind switch
        {
            Cell.Text => isString && !content.IsEmpty,
            Cell.NullableText => isNull || isString && !content.IsEmpty,
            Cell.ChangeType => isString && IsOneOf(content, ChangeTypeBytes),
            Cell.Channel => isString && IsOneOf(content, ChannelBytes),
            Cell.NullableChannel => isNull || isString && IsOneOf(content, ChannelBytes),
            Cell.Timestamp => isString && IsTimestamp(content, withValue: false, out _),
            Cell.NullableTimestamp => isNull || isString && IsTimestamp(content, withValue: false, out _),
            Cell.Long => type == JsonTokenType.Number && IsPlainNumber(raw, 0, 18),
            Cell.Int => type == JsonTokenType.Number && IsPlainNumber(raw, 0, 9),
            Cell.Quantity => type == JsonTokenType.Number && IsPlainNumber(raw, 3, MaxSignificantDigits),
            Cell.NullableQuantity => isNull || type == JsonTokenType.Number && IsPlainNumber(raw, 3, MaxSignificantDigits),
            Cell.Money => type == JsonTokenType.Number && IsPlainNumber(raw, 2, MaxSignificantDigits),
            _ => false,
        };
    }

    private static readonly byte[][] ChangeTypeBytes = [.. ChangeTypes.All.Select(Encoding.UTF8.GetBytes)];
    private static readonly byte[][] ChannelBytes = [.. Channels.All.Select(Encoding.UTF8.GetBytes)];

    private static bool IsOneOf(ReadOnlySpan<byte> content, byte[][] values)
    {
        foreach (var value in values)
        {
            if (content.SequenceEqual(value))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A string whose raw form is its value (no escapes), so DuckDB and .NET read the same text.</summary>
    private static bool IsPlainString(JsonElement element) =>
        element.ValueKind == JsonValueKind.String && !JsonMarshal.GetRawUtf8Value(element).Contains((byte)'\\');

    /// <summary>-?digits(.digits)? with at most <paramref name="scale"/> decimals and <paramref name="maxDigits"/> digits: read alike as decimal, integer or double.</summary>
    private static bool IsPlainNumber(ReadOnlySpan<byte> raw, int scale, int maxDigits)
    {
        var i = raw.Length > 0 && raw[0] == (byte)'-' ? 1 : 0;
        int digits = 0, decimals = 0;
        var fraction = false;
        for (; i < raw.Length; i++)
        {
            var b = raw[i];
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                digits++;
                decimals += fraction ? 1 : 0;
            }
            else if (b == (byte)'.' && !fraction && scale > 0)
            {
                fraction = true;
            }
            else
            {
                return false;
            }
        }
        return digits is > 0 && digits <= maxDigits && decimals <= scale;
    }

    /// <summary>The codec's own form, yyyy-MM-ddTHH:mm:ss.fff±hh:mm, with every field in range (its date part is the local date).</summary>
    private static bool TryTimestamp(JsonElement element, out DateTimeOffset value)
    {
        value = default;
        return element.ValueKind == JsonValueKind.String && IsTimestamp(StringContent(element), withValue: true, out value);
    }

    /// <summary><see cref="TryTimestamp(JsonElement, out DateTimeOffset)"/> over a string's content.</summary>
    private static bool IsTimestamp(ReadOnlySpan<byte> raw, bool withValue, out DateTimeOffset value)
    {
        value = default;
        if (raw.Length != 29 || raw[4] != '-' || raw[7] != '-' || raw[10] != 'T' || raw[13] != ':' || raw[16] != ':' || raw[19] != '.'
            || raw[23] is not ((byte)'+' or (byte)'-') || raw[26] != ':')
        {
            return false;
        }
        if (!TryDigits(raw, 0, 4, out var year) || !TryDigits(raw, 5, 2, out var month) || !TryDigits(raw, 8, 2, out var day)
            || !TryDigits(raw, 11, 2, out var hour) || !TryDigits(raw, 14, 2, out var minute) || !TryDigits(raw, 17, 2, out var second)
            || !TryDigits(raw, 20, 3, out var millisecond) || !TryDigits(raw, 24, 2, out var offsetHours) || !TryDigits(raw, 27, 2, out var offsetMinutes))
        {
            return false;
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59
            || offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > 14 * 60)
        {
            return false;
        }
        if (!withValue && year is > 1 and < 9999)
        {
            // a shift of at most 14 h cannot leave the representable range: nothing more to check
            return true;
        }
        var offset = new TimeSpan(offsetHours, offsetMinutes, 0);
        var local = new DateTime(year, month, day, hour, minute, second, millisecond, DateTimeKind.Unspecified);
        var utcTicks = local.Ticks - (raw[23] == '-' ? -offset.Ticks : offset.Ticks);
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }
        value = new DateTimeOffset(local, raw[23] == '-' ? -offset : offset);
        return true;
    }

    /// <summary>A string's raw text without its quotes.</summary>
    private static ReadOnlySpan<byte> StringContent(JsonElement element) => JsonMarshal.GetRawUtf8Value(element)[1..^1];

    private static bool TryDigits(ReadOnlySpan<byte> raw, int at, int count, out int value)
    {
        value = 0;
        for (var i = at; i < at + count; i++)
        {
            if (raw[i] is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
            value = value * 10 + (raw[i] - '0');
        }
        return true;
    }

    private static bool IsAbsentOrEmptyArray(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0;

    /// <summary>The reject count as the codec reads it (count, else Σ byReason), when every number is an int.</summary>
    private static bool TryRejectCount(JsonElement root, out int count)
    {
        count = 0;
        if (!root.TryGetProperty("rejects", out var rejects) || rejects.ValueKind != JsonValueKind.Object)
        {
            return true;
        }
        var sum = 0L;
        if (rejects.TryGetProperty("byReason", out var reasons) && reasons.ValueKind == JsonValueKind.Object)
        {
            foreach (var reason in reasons.EnumerateObject())
            {
                if (reason.Value.ValueKind != JsonValueKind.Number || !reason.Value.TryGetInt32(out var n))
                {
                    return false;
                }
                sum += n;
            }
        }
        if (rejects.TryGetProperty("samples", out var samples) && samples.ValueKind == JsonValueKind.Array
            && samples.EnumerateArray().Any(s => s.ValueKind == JsonValueKind.String && !IsPlainString(s)))
        {
            return false;
        }
        if (rejects.TryGetProperty("count", out var countElement))
        {
            return countElement.ValueKind == JsonValueKind.Number && countElement.TryGetInt32(out count);
        }
        if (sum > int.MaxValue)
        {
            return false;
        }
        count = (int)sum;
        return true;
    }

    private static byte[]? TryDecompress(byte[] body)
    {
        if (body.Length < 2 || body[0] != 0x1f || body[1] != 0x8b)
        {
            return null;
        }
        try
        {
            return TelemetryBatchCodec.Decompress(body);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException)
        {
            // not gzip or too large: the per-batch path names which
            return null;
        }
    }
}
