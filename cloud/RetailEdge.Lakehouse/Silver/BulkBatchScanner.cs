using System.Buffers;
using System.Globalization;
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
            return Scan(json, record);
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

    // the batch members the scan reads, one bit each (a member twice is a duplicate key); sections follow from SectionMember on
    private static readonly byte[][] Members =
        [.. new[] { "schema", "storeId", "gateway", "module", "journalId", "seq", "createdAt", "windowSeconds", "alerts", "raw", "rejects" }
            .Concat(Sections.Select(s => s.Name)).Select(Encoding.UTF8.GetBytes)];

    private const int SectionMember = 11;
    private const int RequiredMembers = 1 << 0 | 1 << 1 | 1 << 2 | 1 << 5 | 1 << 6;

    /// <summary>
    /// One pass over the body's tokens: the reader checks the JSON grammar and depth as it goes, the scan
    /// checks every member and cell it reads, and each section's rows become CSV lines as they are read.
    /// What a strict parse would refuse that a token stream does not see by itself (a member twice, in any
    /// object) is refused here: known members are counted, and anything else that could hide one (an unknown
    /// member, an escaped name, a nested value where the codec expects none) leaves the body to the per-batch path.
    /// </summary>
    private static ScannedBatch? Scan(byte[] json, long record)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }
        var seen = 0;
        int storeId = 0, windowSeconds = 60, rejects = 0;
        long seq = 0;
        DateTimeOffset createdAt = default;
        string? journalId = null;
        var counts = new int[Sections.Count];
        var lines = new byte[]?[Sections.Count];
        var dates = new string?[Sections.Count];
        var csv = new ArrayBufferWriter<byte>(json.Length);
        int member;
        while ((member = NextMember(ref reader, Members, ref seen)) >= 0)
        {
            var ok = member switch
            {
                0 => reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(TelemetryBatch.SchemaV1),
                1 => reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out storeId),
                2 => IsPlainString(reader) && reader.ValueSpan.Length > 0,
                // the bulk path takes the module from the record: any scalar
                3 => reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray),
                4 => reader.TokenType == JsonTokenType.Null || TryJournalId(reader, out journalId),
                5 => reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out seq) && seq >= 0,
                6 => IsPlainString(reader) && IsTimestamp(reader.ValueSpan, withValue: true, out createdAt),
                7 => reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out windowSeconds),
                // alerts and raw forwarding come in small batches of their own: the per-batch path keeps their exact text
                8 or 9 => reader.TokenType == JsonTokenType.StartArray && reader.Read() && reader.TokenType == JsonTokenType.EndArray,
                10 => TryRejectCount(ref reader, json, out rejects),
                _ => reader.TokenType == JsonTokenType.Null
                    || TryScanSection(ref reader, json, Sections[member - SectionMember], record, csv, out counts[member - SectionMember], out dates[member - SectionMember]),
            };
            if (!ok)
            {
                return null;
            }
            if (member >= SectionMember && counts[member - SectionMember] > 0)
            {
                lines[member - SectionMember] = csv.WrittenSpan.ToArray();
                csv.ResetWrittenCount();
            }
        }
        // the object closes the body: nothing may follow it
        if (member == RefusedMember || reader.TokenType != JsonTokenType.EndObject || reader.Read() || (seen & RequiredMembers) != RequiredMembers)
        {
            return null;
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(json));
        return new ScannedBatch(storeId, journalId, seq, createdAt, windowSeconds, counts, 0, rejects, lines, hash) { SectionDates = dates };
    }

    private const int EndOfObject = -1;
    private const int RefusedMember = -2;

    /// <summary>
    /// The index in <paramref name="names"/> of the next member of the object the reader is in, the reader on its value;
    /// <see cref="EndOfObject"/> when there is none; <see cref="RefusedMember"/> for an unknown or escaped name, or one
    /// already in <paramref name="seen"/> (a strict parse refuses a member twice).
    /// </summary>
    private static int NextMember(ref Utf8JsonReader reader, byte[][] names, ref int seen)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
        {
            return EndOfObject;
        }
        var member = reader.ValueIsEscaped ? -1 : IndexOf(reader.ValueSpan, names);
        if (member < 0 || (seen & 1 << member) != 0)
        {
            return RefusedMember;
        }
        seen |= 1 << member;
        reader.Read();
        return member;
    }

    private static int IndexOf(ReadOnlySpan<byte> name, byte[][] names)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (name.SequenceEqual(names[i]))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>A string whose raw form is its value (no escapes), so DuckDB and .NET read the same text.</summary>
    private static bool IsPlainString(in Utf8JsonReader reader) => reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped;

    private static bool TryJournalId(in Utf8JsonReader reader, out string? journalId)
    {
        journalId = IsPlainString(reader) ? reader.GetString() : null;
        return journalId is not null && TelemetryBatchCodec.IsValidJournalId(journalId);
    }

    /// <summary>
    /// Checks a section (<c>{"cols":[…],"rows":[[…]]}</c>, cols first) and writes its rows as CSV lines
    /// <c>record⇥cells in the spec's order…⇥local date</c>, tab-separated and unquoted: a plain JSON string holds no tab, quote
    /// or line break (control characters and quotes are always escaped in JSON), and none is empty, so an empty cell is null.
    /// </summary>
    private static bool TryScanSection(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, BulkSectionSpec spec, long record, ArrayBufferWriter<byte> csv,
        out int count, out string? date)
    {
        count = 0;
        date = null;
        if (reader.TokenType != JsonTokenType.StartObject || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("cols")
            || !reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }
        // the codec looks columns up by name (first match), so a reader tolerates added columns and another order
        var positions = new int[spec.Columns.Count];
        Array.Fill(positions, -1);
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (!IsPlainString(reader))
            {
                return false;
            }
            for (var c = 0; c < spec.Columns.Count; c++)
            {
                if (positions[c] < 0 && reader.ValueTextEquals(spec.Columns[c]))
                {
                    positions[c] = index;
                }
            }
            index++;
        }
        if (positions.Any(p => p < 0) || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("rows")
            || !reader.Read() || reader.TokenType != JsonTokenType.StartArray
            || !TryScanRows(ref reader, json, spec, positions, record, csv, out count, out date))
        {
            return false;
        }
        return reader.Read() && reader.TokenType == JsonTokenType.EndObject;
    }

    /// <summary>The rows array (the reader on its start, left on its end), each row's cells checked and written as a CSV line.</summary>
    private static bool TryScanRows(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, BulkSectionSpec spec, int[] positions, long record,
        ArrayBufferWriter<byte> csv, out int count, out string? date)
    {
        count = 0;
        date = null;
        var needed = positions.Max() + 1;
        Span<byte> number = stackalloc byte[24];
        record.TryFormat(number, out var recordLength, default, CultureInfo.InvariantCulture);
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
                if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                {
                    // a nested value is never a cell the codec reads, and could hide a member twice
                    return false;
                }
                if (cell >= needed)
                {
                    // a cell no column reads: any scalar
                    continue;
                }
                // an escaped string is never plain (None): only a column that reads it refuses the batch
                cells[cell++] = reader.TokenType == JsonTokenType.String && reader.ValueIsEscaped
                    ? (0, 0, JsonTokenType.None)
                    : ((int)reader.TokenStartIndex, reader.TokenType == JsonTokenType.String ? reader.ValueSpan.Length + 2 : reader.ValueSpan.Length, reader.TokenType);
            }
            if (cell < needed)
            {
                return false;
            }
            csv.Write(number[..recordLength]);
            for (var c = 0; c < positions.Length; c++)
            {
                var (start, length, type) = cells[positions[c]];
                var value = json.Slice(start, length);
                if (!IsPlain(type, value, spec.Cells[c]))
                {
                    return false;
                }
                csv.Write("\t"u8);
                if (type != JsonTokenType.Null)
                {
                    csv.Write(type == JsonTokenType.String ? value[1..^1] : value);
                }
            }
            var (dateStart, _, _) = cells[positions[spec.DateColumn]];
            var rowDate = json.Slice(dateStart + 1, 10);
            csv.Write("\t"u8);
            csv.Write(rowDate);
            csv.Write("\n"u8);
            if (count == 0)
            {
                firstDate = dateStart + 1;
            }
            else if (firstDate >= 0 && !rowDate.SequenceEqual(json.Slice(firstDate, 10)))
            {
                firstDate = -1;
            }
            count++;
        }
        // the rows' one date (a plain timestamp's date part is ASCII yyyy-MM-dd), which the write expects as their partition
        date = count > 0 && firstDate >= 0 ? Encoding.ASCII.GetString(json.Slice(firstDate, 10)) : null;
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

    private static readonly byte[][] RejectMembers = [.. new[] { "count", "byReason", "samples" }.Select(Encoding.UTF8.GetBytes)];

    /// <summary>
    /// The reject count as the codec reads it (count, else Σ byReason) when every number is an int; a
    /// value that is not an object counts none, as in the codec (an array is refused: it could hide a member twice).
    /// </summary>
    private static bool TryRejectCount(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, out int count)
    {
        count = 0;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return reader.TokenType != JsonTokenType.StartArray;
        }
        var seen = 0;
        var sum = 0L;
        int? declared = null;
        int member;
        while ((member = NextMember(ref reader, RejectMembers, ref seen)) >= 0)
        {
            switch (member)
            {
                case 0:
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var value))
                    {
                        return false;
                    }
                    declared = value;
                    break;
                case 1:
                    if (!TrySumReasons(ref reader, json, out sum))
                    {
                        return false;
                    }
                    break;
                default:
                    if (!IsPlainSamples(ref reader))
                    {
                        return false;
                    }
                    break;
            }
        }
        if (member == RefusedMember)
        {
            return false;
        }
        if (declared is { } counted)
        {
            count = counted;
            return true;
        }
        if (sum > int.MaxValue)
        {
            return false;
        }
        count = (int)sum;
        return true;
    }

    /// <summary>Σ byReason when every reason is named once, unescaped, with an int; a value that is not an object is ignored, as in the codec.</summary>
    private static bool TrySumReasons(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, out long sum)
    {
        sum = 0;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return reader.TokenType != JsonTokenType.StartArray;
        }
        var names = new List<(int Start, int Length)>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueIsEscaped)
            {
                return false;
            }
            var name = ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
            foreach (var (start, length) in names)
            {
                if (json.Slice(start, length).SequenceEqual(reader.ValueSpan))
                {
                    return false;
                }
            }
            names.Add(name);
            if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var n))
            {
                return false;
            }
            sum += n;
        }
        return true;
    }

    /// <summary>Whether samples (kept only by the per-batch path) hold no escaped string and no nested value; a value that is not an array is ignored, as in the codec.</summary>
    private static bool IsPlainSamples(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return reader.TokenType != JsonTokenType.StartObject;
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject || (reader.TokenType == JsonTokenType.String && reader.ValueIsEscaped))
            {
                return false;
            }
        }
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
