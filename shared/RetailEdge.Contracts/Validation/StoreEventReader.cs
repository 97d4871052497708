using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RetailEdge.Contracts.Events;

namespace RetailEdge.Contracts.Validation;

/// <summary>
/// The validator's fast path: one forward pass of a <see cref="Utf8JsonReader"/> over the raw bytes,
/// no <see cref="JsonDocument"/>, no copy of the input. It gives exactly the verdicts of the
/// <see cref="JsonDocument"/> path (same reason codes, same order of checks, same values) for the
/// events it understands, and says "not mine" (returns false) for everything unusual, which the
/// caller then judges on the document path: malformed JSON (for the reader's exact message),
/// escaped or non-ASCII property names and strings, a known field given twice (a document lets the
/// last one win), very long numbers and timestamps that are not in the plain ISO-8601 shape. When
/// duplicate keys are rejected, also any property it does not know and any nested value it would
/// skip (only the document sees every duplicate at every depth).
/// </summary>
internal static class StoreEventReader
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 16 };

    /// <summary>Longest number token read here; longer ones go to the document path (identical parsing is then trivially kept).</summary>
    private const int MaxNumberLength = 24;

    /// <summary>Slots of one array element: a header (the element's token kind) and the four line fields.</summary>
    private const int ElementStride = 5;

    /// <summary>
    /// Known fields. The first five double as the slots of one array element (<see cref="ElementStride"/>):
    /// a header, then the fields a basket line, an inventory line or a count may have.
    /// </summary>
    private enum Field
    {
        Element, ItemId, Qty, UnitPrice, Discount,
        Type, Id, StoreId, Ts, LaneId, Channel, CustomerId, Tender, Lines, ScaleId, NetKg, PricePerKg, TareKg, LabelPrinted,
        ChangeType, Reason, EmployeeId, Counts, Count, Unknown,
    }

    /// <summary>
    /// Where a field's value is in the input: its token kind and byte range (string contents without
    /// quotes); for an array of lines or counts, where its elements' slots are.
    /// </summary>
    private struct Slot
    {
        public JsonTokenType Kind;
        public bool Present;
        public int Start;
        public int Length;
        public int FirstElement;
        public int ElementCount;
    }

    /// <summary>Validates the shape of one event; false when the document path must decide.</summary>
    public static bool TryRead(ReadOnlySpan<byte> raw, bool rejectDuplicateKeys, out ValidationResult result, out StoreEvent? storeEvent)
    {
        result = default;
        storeEvent = null;
        Span<Slot> slots = stackalloc Slot[(int)Field.Count];
        // Elements of the lines/counts arrays, read in the same pass (the event type, which says how to
        // judge them, may come after them).
        var elements = ArrayPool<Slot>.Shared.Rent(32 * ElementStride);
        var used = 0;
        try
        {
            var reader = new Utf8JsonReader(raw, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            if (!ReadObject(ref reader, rejectDuplicateKeys, slots, ref elements, ref used))
            {
                return false;
            }
            while (reader.Read())
            {
                // trailing content makes the reader throw, as the document would
            }
            var fields = new Fields(raw, slots, elements);
            return Evaluate(ref fields, out result, out storeEvent);
        }
        catch (JsonException)
        {
            return false;
        }
        finally
        {
            ArrayPool<Slot>.Shared.Return(elements);
        }
    }

    /// <summary>Reads the properties of the event object, remembering the known ones; false on anything unusual.</summary>
    private static bool ReadObject(ref Utf8JsonReader reader, bool strict, scoped Span<Slot> slots, ref Slot[] elements, ref int used)
    {
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }
            if (reader.ValueIsEscaped)
            {
                return false;
            }
            var field = TopLevelField(reader.ValueSpan);
            reader.Read();
            if (field == Field.Unknown)
            {
                if (strict)
                {
                    return false;
                }
                reader.Skip();
                continue;
            }
            ref var slot = ref slots[(int)field];
            if (slot.Present)
            {
                return false;
            }
            if (field is Field.Lines or Field.Counts && reader.TokenType == JsonTokenType.StartArray)
            {
                slot.Present = true;
                slot.Kind = JsonTokenType.StartArray;
                slot.FirstElement = used;
                if (!ReadElements(ref reader, strict, ref elements, ref used))
                {
                    return false;
                }
                slot.ElementCount = (used - slot.FirstElement) / ElementStride;
                continue;
            }
            if (!ReadValue(ref reader, strict, ref slot))
            {
                return false;
            }
        }
        return false;
    }

    /// <summary>Reads the elements of a lines/counts array into slots (one header and four fields each).</summary>
    private static bool ReadElements(ref Utf8JsonReader reader, bool strict, ref Slot[] elements, ref int used)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (used + ElementStride > elements.Length)
            {
                var larger = ArrayPool<Slot>.Shared.Rent(elements.Length * 2);
                elements.AsSpan(0, used).CopyTo(larger);
                ArrayPool<Slot>.Shared.Return(elements);
                elements = larger;
            }
            var element = elements.AsSpan(used, ElementStride);
            used += ElementStride;
            element.Clear();
            element[0].Kind = reader.TokenType;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                if (strict && reader.TokenType == JsonTokenType.StartArray)
                {
                    return false;
                }
                reader.Skip();
                continue;
            }
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                if (reader.ValueIsEscaped)
                {
                    return false;
                }
                var field = LineField(reader.ValueSpan);
                reader.Read();
                if (field == Field.Unknown)
                {
                    if (strict)
                    {
                        return false;
                    }
                    reader.Skip();
                    continue;
                }
                ref var slot = ref element[(int)field];
                if (slot.Present || !ReadValue(ref reader, strict, ref slot))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>Remembers the value the reader is on; false for values the document path must read (escapes, non-ASCII, long numbers).</summary>
    private static bool ReadValue(ref Utf8JsonReader reader, bool strict, ref Slot slot)
    {
        slot.Present = true;
        slot.Kind = reader.TokenType;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                if (reader.ValueIsEscaped || !Ascii.IsValid(reader.ValueSpan))
                {
                    return false;
                }
                slot.Start = (int)reader.TokenStartIndex + 1;
                slot.Length = reader.ValueSpan.Length;
                return true;
            case JsonTokenType.Number:
                if (reader.ValueSpan.Length > MaxNumberLength)
                {
                    return false;
                }
                slot.Start = (int)reader.TokenStartIndex;
                slot.Length = reader.ValueSpan.Length;
                return true;
            case JsonTokenType.StartArray:
            case JsonTokenType.StartObject:
                // Only its kind matters (a wrong kind for every field that is read), unless a
                // duplicate inside it must be found first.
                if (strict)
                {
                    return false;
                }
                reader.Skip();
                return true;
            default:
                return true;
        }
    }

    private static Field TopLevelField(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 when name.SequenceEqual("id"u8) => Field.Id,
        2 when name.SequenceEqual("ts"u8) => Field.Ts,
        4 when name.SequenceEqual("type"u8) => Field.Type,
        5 when name.SequenceEqual("netKg"u8) => Field.NetKg,
        6 when name.SequenceEqual("laneId"u8) => Field.LaneId,
        6 when name.SequenceEqual("tender"u8) => Field.Tender,
        6 when name.SequenceEqual("itemId"u8) => Field.ItemId,
        6 when name.SequenceEqual("tareKg"u8) => Field.TareKg,
        6 when name.SequenceEqual("reason"u8) => Field.Reason,
        6 when name.SequenceEqual("counts"u8) => Field.Counts,
        5 when name.SequenceEqual("lines"u8) => Field.Lines,
        7 when name.SequenceEqual("storeId"u8) => Field.StoreId,
        7 when name.SequenceEqual("channel"u8) => Field.Channel,
        7 when name.SequenceEqual("scaleId"u8) => Field.ScaleId,
        10 when name.SequenceEqual("customerId"u8) => Field.CustomerId,
        10 when name.SequenceEqual("pricePerKg"u8) => Field.PricePerKg,
        10 when name.SequenceEqual("changeType"u8) => Field.ChangeType,
        10 when name.SequenceEqual("employeeId"u8) => Field.EmployeeId,
        12 when name.SequenceEqual("labelPrinted"u8) => Field.LabelPrinted,
        _ => Field.Unknown,
    };

    private static Field LineField(ReadOnlySpan<byte> name) => name.Length switch
    {
        3 when name.SequenceEqual("qty"u8) => Field.Qty,
        6 when name.SequenceEqual("itemId"u8) => Field.ItemId,
        8 when name.SequenceEqual("discount"u8) => Field.Discount,
        9 when name.SequenceEqual("unitPrice"u8) => Field.UnitPrice,
        _ => Field.Unknown,
    };

    /// <summary>The checks of <see cref="EventValidator.Validate(JsonElement, DateTimeOffset)"/>, in the same order, on the remembered slots.</summary>
    private static bool Evaluate(ref Fields reader, out ValidationResult result, out StoreEvent? storeEvent)
    {
        result = default;
        storeEvent = null;
        var type = reader.String(Field.Type, "type");
        var id = reader.String(Field.Id, "id");
        var eventId = id is { Length: > 0 and <= EventValidator.MaxIdLength } ? id : null;
        if (reader.Error is { } typeError)
        {
            result = ValidationResult.Rejected(typeError, null, eventId);
            return true;
        }
        type = type switch
        {
            StoreEventTypes.Basket => StoreEventTypes.Basket,
            StoreEventTypes.Weighing => StoreEventTypes.Weighing,
            StoreEventTypes.InventoryChange => StoreEventTypes.InventoryChange,
            StoreEventTypes.InventorySnapshot => StoreEventTypes.InventorySnapshot,
            _ => type,
        };
        if (type is not (StoreEventTypes.Basket or StoreEventTypes.Weighing or StoreEventTypes.InventoryChange or StoreEventTypes.InventorySnapshot))
        {
            result = ValidationResult.Rejected(ReasonCodes.UnknownType, type, eventId);
            return true;
        }
        if (id!.Length == 0 || id.Length > EventValidator.MaxIdLength)
        {
            result = ValidationResult.Rejected(ReasonCodes.InvalidField("id"), $"id length {id.Length}", null);
            return true;
        }
        var storeId = reader.Int32(Field.StoreId, "storeId");
        var ts = reader.Timestamp(Field.Ts, "ts");
        if (reader.Error is { } headerError)
        {
            result = ValidationResult.Rejected(headerError, null, eventId);
            return true;
        }
        switch (type)
        {
            case StoreEventTypes.Basket:
                var laneId = reader.String(Field.LaneId, "laneId");
                var channel = Intern(reader.String(Field.Channel, "channel"));
                var customerId = reader.OptionalString(Field.CustomerId, "customerId");
                var tender = reader.OptionalString(Field.Tender, "tender");
                var lines = reader.BasketLines();
                if (reader.Error is null && !Channels.IsKnown(channel!))
                {
                    reader.Fail(ReasonCodes.InvalidField("channel"));
                }
                if (reader.Error is { } basketError)
                {
                    result = ValidationResult.Rejected(basketError, null, eventId);
                    return true;
                }
                storeEvent = new BasketEvent
                {
                    Id = id, StoreId = storeId, Ts = ts, LaneId = laneId!, Channel = channel!, CustomerId = customerId, Tender = tender, Lines = lines!,
                };
                return true;
            case StoreEventTypes.Weighing:
                var weighing = new WeighingEvent
                {
                    Id = id,
                    StoreId = storeId,
                    Ts = ts,
                    ScaleId = reader.String(Field.ScaleId, "scaleId")!,
                    ItemId = reader.Int64(Field.ItemId, "itemId"),
                    NetKg = reader.Decimal(Field.NetKg, "netKg", checkMin: true),
                    PricePerKg = reader.Decimal(Field.PricePerKg, "pricePerKg", checkMin: true),
                    TareKg = reader.OptionalDecimal(Field.TareKg, "tareKg", checkMin: false),
                    LabelPrinted = reader.Boolean(Field.LabelPrinted, "labelPrinted"),
                };
                if (reader.Error is { } weighingError)
                {
                    result = ValidationResult.Rejected(weighingError, null, eventId);
                    return true;
                }
                storeEvent = weighing;
                return true;
            case StoreEventTypes.InventoryChange:
                var changeType = Intern(reader.String(Field.ChangeType, "changeType"));
                var changeLines = reader.InventoryLines(Field.Lines, "lines", qtyMin: false);
                var reason = reader.OptionalString(Field.Reason, "reason");
                if (reader.Error is null && !ChangeTypes.IsNonPos(changeType!))
                {
                    reader.Fail(ReasonCodes.InvalidField("changeType"));
                }
                if (reader.Error is { } changeError)
                {
                    result = ValidationResult.Rejected(changeError, null, eventId);
                    return true;
                }
                storeEvent = new InventoryChangeEvent { Id = id, StoreId = storeId, Ts = ts, ChangeType = changeType!, Lines = changeLines!, Reason = reason };
                return true;
            default:
                var employeeId = reader.OptionalString(Field.EmployeeId, "employeeId");
                var counts = reader.InventoryLines(Field.Counts, "counts", qtyMin: true);
                if (reader.Error is { } snapshotError)
                {
                    result = ValidationResult.Rejected(snapshotError, null, eventId);
                    return true;
                }
                storeEvent = new InventorySnapshotEvent { Id = id, StoreId = storeId, Ts = ts, EmployeeId = employeeId, Counts = counts! };
                return true;
        }
    }

    /// <summary>Known words as their constants: equal values, one instance (cheaper to keep and to compare later).</summary>
    private static string? Intern(string? value) => value switch
    {
        Channels.Store => Channels.Store,
        Channels.Online => Channels.Online,
        Channels.Bopis => Channels.Bopis,
        ChangeTypes.Restock => ChangeTypes.Restock,
        ChangeTypes.Shrink => ChangeTypes.Shrink,
        ChangeTypes.Adjustment => ChangeTypes.Adjustment,
        _ => value,
    };

    /// <summary>Typed reads of remembered slots; remembers the first problem as a reason code (as the document path's FieldReader).</summary>
    private ref struct Fields(ReadOnlySpan<byte> raw, Span<Slot> slots, Slot[] elements)
    {
        private readonly ReadOnlySpan<byte> _raw = raw;
        private readonly Span<Slot> _slots = slots;
        private readonly Slot[] _elements = elements;

        public string? Error { get; private set; }

        public void Fail(string reason) => Error ??= reason;

        public string? String(Field field, string name)
        {
            if (!TryGet(field, name, out var slot))
            {
                return null;
            }
            if (slot.Kind != JsonTokenType.String)
            {
                Fail(ReasonCodes.InvalidField(name));
                return null;
            }
            return Encoding.ASCII.GetString(_raw.Slice(slot.Start, slot.Length));
        }

        public string? OptionalString(Field field, string name)
        {
            var slot = _slots[(int)field];
            if (!slot.Present || slot.Kind == JsonTokenType.Null)
            {
                return null;
            }
            if (slot.Kind != JsonTokenType.String)
            {
                Fail(ReasonCodes.InvalidField(name));
                return null;
            }
            return Encoding.ASCII.GetString(_raw.Slice(slot.Start, slot.Length));
        }

        public int Int32(Field field, string name)
        {
            var present = TryGet(field, name, out var slot);
            var value = 0;
            if (present && !(slot.Kind == JsonTokenType.Number && TryParse(slot, out value)))
            {
                Fail(ReasonCodes.InvalidField(name));
                return 0;
            }
            return Error is null ? value : 0;
        }

        public long Int64(Field field, string name)
        {
            if (!TryGet(field, name, out var slot))
            {
                return 0;
            }
            if (slot.Kind == JsonTokenType.Number && Utf8Parser.TryParse(Span(slot), out long result, out var consumed) && consumed == slot.Length)
            {
                return result;
            }
            Fail(ReasonCodes.InvalidField(name));
            return 0;
        }

        public decimal Decimal(Field field, string name, bool checkMin)
        {
            if (!TryGet(field, name, out var slot))
            {
                return 0m;
            }
            return ReadDecimal(slot, name, checkMin);
        }

        public decimal? OptionalDecimal(Field field, string name, bool checkMin)
        {
            var slot = _slots[(int)field];
            if (!slot.Present || slot.Kind == JsonTokenType.Null)
            {
                return null;
            }
            return ReadDecimal(slot, name, checkMin);
        }

        public bool Boolean(Field field, string name)
        {
            if (!TryGet(field, name, out var slot))
            {
                return false;
            }
            if (slot.Kind is JsonTokenType.True or JsonTokenType.False)
            {
                return slot.Kind == JsonTokenType.True;
            }
            Fail(ReasonCodes.InvalidField(name));
            return false;
        }

        public DateTimeOffset Timestamp(Field field, string name)
        {
            var text = String(field, name);
            if (text is null)
            {
                return default;
            }
            if (!HasOffset(text))
            {
                Fail(ReasonCodes.BadTimestamp);
                return default;
            }
            if (TryParseIsoTimestamp(text, out var fast))
            {
                return fast;
            }
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var ts))
            {
                Fail(ReasonCodes.BadTimestamp);
                return default;
            }
            return ts;
        }

        /// <summary>The basket's lines.</summary>
        public List<BasketLine>? BasketLines()
        {
            if (!ArrayStart(Field.Lines, "lines", out var array))
            {
                return null;
            }
            var items = new List<BasketLine>(array.ElementCount);
            for (var i = 0; i < array.ElementCount; i++)
            {
                var element = _elements.AsSpan(array.FirstElement + i * ElementStride, ElementStride);
                if (element[0].Kind != JsonTokenType.StartObject)
                {
                    Fail(ReasonCodes.InvalidField("lines"));
                    return null;
                }
                var item = new Fields(_raw, element, _elements);
                var parsed = new BasketLine(
                    item.Int64(Field.ItemId, "itemId"),
                    item.Decimal(Field.Qty, "qty", checkMin: false),
                    item.Decimal(Field.UnitPrice, "unitPrice", checkMin: true),
                    item.OptionalDecimal(Field.Discount, "discount", checkMin: true) ?? 0m);
                if (item.Error is { } itemError)
                {
                    Fail(itemError);
                    return null;
                }
                items.Add(parsed);
            }
            return items;
        }

        /// <summary>An inventory change's lines or a snapshot's counts.</summary>
        public List<InventoryLine>? InventoryLines(Field field, string name, bool qtyMin)
        {
            if (!ArrayStart(field, name, out var array))
            {
                return null;
            }
            var items = new List<InventoryLine>(array.ElementCount);
            for (var i = 0; i < array.ElementCount; i++)
            {
                var element = _elements.AsSpan(array.FirstElement + i * ElementStride, ElementStride);
                if (element[0].Kind != JsonTokenType.StartObject)
                {
                    Fail(ReasonCodes.InvalidField(name));
                    return null;
                }
                var item = new Fields(_raw, element, _elements);
                var parsed = new InventoryLine(item.Int64(Field.ItemId, "itemId"), item.Decimal(Field.Qty, "qty", checkMin: qtyMin));
                if (item.Error is { } itemError)
                {
                    Fail(itemError);
                    return null;
                }
                items.Add(parsed);
            }
            return items;
        }

        /// <summary>A non-empty array field.</summary>
        private bool ArrayStart(Field field, string name, out Slot array)
        {
            if (!TryGet(field, name, out array))
            {
                return false;
            }
            if (array.Kind != JsonTokenType.StartArray || array.ElementCount == 0)
            {
                Fail(ReasonCodes.InvalidField(name));
                return false;
            }
            return true;
        }

        private decimal ReadDecimal(Slot slot, string name, bool checkMin)
        {
            if (slot.Kind == JsonTokenType.Number && Utf8Parser.TryParse(Span(slot), out decimal result, out var consumed) && consumed == slot.Length
                && (!checkMin || result >= 0m))
            {
                return result;
            }
            Fail(ReasonCodes.InvalidField(name));
            return 0m;
        }

        private readonly bool TryParse(Slot slot, out int value) =>
            Utf8Parser.TryParse(Span(slot), out value, out var consumed) && consumed == slot.Length;

        private readonly ReadOnlySpan<byte> Span(Slot slot) => _raw.Slice(slot.Start, slot.Length);

        private bool TryGet(Field field, string name, out Slot slot)
        {
            slot = _slots[(int)field];
            if (!slot.Present || slot.Kind == JsonTokenType.Null)
            {
                Fail(ReasonCodes.MissingField(name));
                return false;
            }
            return true;
        }
    }

    /// <summary>Same rule as the document path: an ISO-8601 timestamp must carry Z or ±hh:mm.</summary>
    internal static bool HasOffset(string text)
    {
        if (text.Length < 20 || text[10] != 'T')
        {
            return false;
        }
        if (text[^1] is 'Z' or 'z')
        {
            return true;
        }
        return text.Length >= 6 && text[^6] is '+' or '-' && text[^3] == ':';
    }

    /// <summary>
    /// yyyy-MM-ddTHH:mm:ss[.f…](Z|±hh:mm) with every part in range, as <see cref="DateTimeOffset.TryParse(string, IFormatProvider, DateTimeStyles, out DateTimeOffset)"/>
    /// reads it; false for anything else (the caller then asks TryParse itself, so unusual input keeps its verdict).
    /// </summary>
    internal static bool TryParseIsoTimestamp(string text, out DateTimeOffset value)
    {
        value = default;
        var end = text.Length;
        TimeSpan offset;
        if (text[end - 1] == 'Z')
        {
            offset = TimeSpan.Zero;
            end -= 1;
        }
        else if (end >= 25 && text[end - 6] is '+' or '-' && text[end - 3] == ':'
            && TwoDigits(text, end - 5, out var offsetHours) && TwoDigits(text, end - 2, out var offsetMinutes)
            && offsetHours <= 13 && offsetMinutes <= 59)
        {
            offset = new TimeSpan(offsetHours, offsetMinutes, 0);
            if (text[end - 6] == '-')
            {
                offset = -offset;
            }
            end -= 6;
        }
        else
        {
            return false;
        }
        if (end < 19 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':'
            || !TwoDigits(text, 0, out var century) || !TwoDigits(text, 2, out var yearOfCentury)
            || !TwoDigits(text, 5, out var month) || !TwoDigits(text, 8, out var day)
            || !TwoDigits(text, 11, out var hour) || !TwoDigits(text, 14, out var minute) || !TwoDigits(text, 17, out var second))
        {
            return false;
        }
        var year = century * 100 + yearOfCentury;
        if (year is < 1900 or > 9000 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        long fractionTicks = 0;
        if (end > 19)
        {
            // A fraction: '.' and 1 to 7 digits (ticks are 100 ns).
            var digits = end - 20;
            if (text[19] != '.' || digits is < 1 or > 7)
            {
                return false;
            }
            for (var i = 20; i < end; i++)
            {
                var d = text[i] - '0';
                if ((uint)d > 9)
                {
                    return false;
                }
                fractionTicks = fractionTicks * 10 + d;
            }
            for (var i = digits; i < 7; i++)
            {
                fractionTicks *= 10;
            }
        }
        var local = new DateTime(year, month, day, hour, minute, second).AddTicks(fractionTicks);
        value = new DateTimeOffset(local, offset);
        return true;
    }

    private static bool TwoDigits(string text, int at, out int value)
    {
        var high = text[at] - '0';
        var low = text[at + 1] - '0';
        value = high * 10 + low;
        return (uint)high <= 9 && (uint)low <= 9;
    }
}
