using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using RetailEdge.Contracts.Events;

namespace RetailEdge.Contracts.Validation;

/// <summary>
/// Parses and validates one raw store event. Never throws on any byte sequence: every rejection is a
/// <see cref="ValidationResult"/> with a reason code from <see cref="ReasonCodes"/> (bytes that are not
/// UTF-8 are invalid_utf8, a property named twice is duplicate_key). Duplicate events are not judged
/// here (that needs the journal's memory of ids).
/// </summary>
public sealed class EventValidator
{
    /// <summary>Longest accepted event id; ids are keys in the journal and the lake.</summary>
    public const int MaxIdLength = 128;

    /// <summary>Deepest JSON nesting an event may have.</summary>
    private const int MaxDepth = 16;

    private readonly EventValidationOptions _options;

    public EventValidator(EventValidationOptions? options = null)
    {
        _options = options ?? new EventValidationOptions();
        _options.Validate();
    }

    public EventValidationOptions Options => _options;

    /// <param name="raw">the event's UTF-8 JSON bytes as received</param>
    /// <param name="receivedAt">the receiving clock, for future_timestamp</param>
    public ValidationResult Validate(ReadOnlySpan<byte> raw, DateTimeOffset receivedAt)
    {
        if (raw.Length > _options.MaxEventBytes)
        {
            return ValidationResult.Rejected(ReasonCodes.TooLarge, $"{raw.Length} bytes > {_options.MaxEventBytes}");
        }
        // JSON text is UTF-8 (RFC 8259 §8.1). The reader checks strings only when they are decoded,
        // which would throw in the middle of judging the fields: check all bytes first (vectorised).
        if (!Utf8.IsValid(raw))
        {
            return ValidationResult.Rejected(ReasonCodes.InvalidUtf8, StrictJson.InvalidUtf8Detail(raw));
        }
        // Fast path for the usual event (one reader pass, no document); anything it does not
        // understand is judged below, with identical results either way.
        if (StoreEventReader.TryRead(raw, _options.RejectDuplicateKeys, out var shape, out var parsed))
        {
            return parsed is null ? shape : Check(parsed, receivedAt);
        }
        return ValidateDocument(raw, receivedAt);
    }

    /// <summary>The reference path: parse a <see cref="JsonDocument"/>, then read its fields.</summary>
    private ValidationResult ValidateDocument(ReadOnlySpan<byte> raw, DateTimeOffset receivedAt)
    {
        using var document = StrictJson.TryParse(raw.ToArray(), MaxDepth, out var duplicateKey, out var error, _options.RejectDuplicateKeys);
        if (document is null)
        {
            return ValidationResult.Rejected(duplicateKey ? ReasonCodes.DuplicateKey : ReasonCodes.MalformedJson, error);
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return ValidationResult.Rejected(ReasonCodes.MalformedJson, "not a JSON object");
        }
        return Validate(document.RootElement, receivedAt);
    }

    /// <summary>Validates an already parsed JSON object.</summary>
    public ValidationResult Validate(JsonElement root, DateTimeOffset receivedAt)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ValidationResult.Rejected(ReasonCodes.MalformedJson, "not a JSON object");
        }
        var reader = new FieldReader(root);
        var type = reader.String("type");
        var id = reader.String("id");
        var eventId = id is { Length: > 0 and <= MaxIdLength } ? id : null;
        if (reader.Error is { } typeError)
        {
            return ValidationResult.Rejected(typeError, null, eventId);
        }
        if (type is not (StoreEventTypes.Basket or StoreEventTypes.Weighing or StoreEventTypes.InventoryChange or StoreEventTypes.InventorySnapshot))
        {
            return ValidationResult.Rejected(ReasonCodes.UnknownType, type, eventId);
        }
        if (id!.Length == 0 || id.Length > MaxIdLength)
        {
            return ValidationResult.Rejected(ReasonCodes.InvalidField("id"), $"id length {id.Length}", null);
        }
        var storeId = reader.Int32("storeId");
        var ts = reader.Timestamp("ts");
        if (reader.Error is { } headerError)
        {
            return ValidationResult.Rejected(headerError, null, eventId);
        }

        StoreEvent storeEvent;
        switch (type)
        {
            case StoreEventTypes.Basket:
                var laneId = reader.String("laneId");
                var channel = reader.String("channel");
                var customerId = reader.OptionalString("customerId");
                var tender = reader.OptionalString("tender");
                var lines = reader.Array("lines", static (FieldReader line) => new BasketLine(
                    line.Int64("itemId"),
                    line.Decimal("qty"),
                    line.Decimal("unitPrice", min: 0m),
                    line.OptionalDecimal("discount", min: 0m) ?? 0m));
                if (reader.Error is null && !Channels.IsKnown(channel!))
                {
                    reader.Fail(ReasonCodes.InvalidField("channel"));
                }
                if (reader.Error is { } basketError)
                {
                    return ValidationResult.Rejected(basketError, null, eventId);
                }
                storeEvent = new BasketEvent
                {
                    Id = id, StoreId = storeId, Ts = ts, LaneId = laneId!, Channel = channel!, CustomerId = customerId, Tender = tender, Lines = lines!,
                };
                break;
            case StoreEventTypes.Weighing:
                var weighing = new WeighingEvent
                {
                    Id = id,
                    StoreId = storeId,
                    Ts = ts,
                    ScaleId = reader.String("scaleId")!,
                    ItemId = reader.Int64("itemId"),
                    NetKg = reader.Decimal("netKg", min: 0m),
                    PricePerKg = reader.Decimal("pricePerKg", min: 0m),
                    TareKg = reader.OptionalDecimal("tareKg"),
                    LabelPrinted = reader.Boolean("labelPrinted"),
                };
                if (reader.Error is { } weighingError)
                {
                    return ValidationResult.Rejected(weighingError, null, eventId);
                }
                storeEvent = weighing;
                break;
            case StoreEventTypes.InventoryChange:
                var changeType = reader.String("changeType");
                var changeLines = reader.Array("lines", static (FieldReader line) => new InventoryLine(line.Int64("itemId"), line.Decimal("qty")));
                var reason = reader.OptionalString("reason");
                if (reader.Error is null && !ChangeTypes.IsNonPos(changeType!))
                {
                    reader.Fail(ReasonCodes.InvalidField("changeType"));
                }
                if (reader.Error is { } changeError)
                {
                    return ValidationResult.Rejected(changeError, null, eventId);
                }
                storeEvent = new InventoryChangeEvent { Id = id, StoreId = storeId, Ts = ts, ChangeType = changeType!, Lines = changeLines!, Reason = reason };
                break;
            default:
                var employeeId = reader.OptionalString("employeeId");
                var counts = reader.Array("counts", static (FieldReader line) => new InventoryLine(line.Int64("itemId"), line.Decimal("qty", min: 0m)));
                if (reader.Error is { } snapshotError)
                {
                    return ValidationResult.Rejected(snapshotError, null, eventId);
                }
                storeEvent = new InventorySnapshotEvent { Id = id, StoreId = storeId, Ts = ts, EmployeeId = employeeId, Counts = counts! };
                break;
        }
        return Check(storeEvent, receivedAt);
    }

    /// <summary>The rules beyond shape: store, clock, reference data.</summary>
    public ValidationResult Check(StoreEvent storeEvent, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(storeEvent);
        if (_options.ExpectedStoreId is { } expected && storeEvent.StoreId != expected)
        {
            return ValidationResult.Rejected(ReasonCodes.WrongStore, $"storeId {storeEvent.StoreId} != {expected}", storeEvent.Id);
        }
        if (storeEvent.Ts > receivedAt + _options.FutureTolerance)
        {
            return ValidationResult.Rejected(ReasonCodes.FutureTimestamp, $"ts {storeEvent.Ts:O} is after {receivedAt:O}", storeEvent.Id);
        }
        if (_options.KnownItems is { } known && FirstUnknownItem(storeEvent, known) is { } unknown)
        {
            return ValidationResult.Rejected(ReasonCodes.UnknownItem, "itemId " + unknown.ToString(CultureInfo.InvariantCulture), storeEvent.Id);
        }
        return ValidationResult.Valid(storeEvent);
    }

    private static long? FirstUnknownItem(StoreEvent storeEvent, IReadOnlySet<long> known)
    {
        switch (storeEvent)
        {
            case BasketEvent basket:
                foreach (var line in basket.Lines)
                {
                    if (!known.Contains(line.ItemId))
                    {
                        return line.ItemId;
                    }
                }
                return null;
            case WeighingEvent weighing:
                return known.Contains(weighing.ItemId) ? null : weighing.ItemId;
            case InventoryChangeEvent change:
                return FirstUnknown(change.Lines, known);
            case InventorySnapshotEvent snapshot:
                return FirstUnknown(snapshot.Counts, known);
            default:
                return null;
        }
    }

    private static long? FirstUnknown(IReadOnlyList<InventoryLine> lines, IReadOnlySet<long> known)
    {
        foreach (var line in lines)
        {
            if (!known.Contains(line.ItemId))
            {
                return line.ItemId;
            }
        }
        return null;
    }

    /// <summary>Reads typed fields and remembers the first problem as a reason code.</summary>
    private sealed class FieldReader(JsonElement element)
    {
        public string? Error { get; private set; }

        public void Fail(string reason) => Error ??= reason;

        public string? String(string name)
        {
            if (!TryGet(name, out var value))
            {
                return null;
            }
            return ReadString(name, value);
        }

        public string? OptionalString(string name)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            return ReadString(name, value);
        }

        /// <summary>A string field; not a string, or an escaped lone surrogate (not text), is invalid_field.</summary>
        private string? ReadString(string name, JsonElement value)
        {
            if (JsonText.StringOrNull(value) is { } text)
            {
                return text;
            }
            Fail(ReasonCodes.InvalidField(name));
            return null;
        }

        public int Int32(string name)
        {
            if (TryGet(name, out var value) && !(value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var result)))
            {
                Fail(ReasonCodes.InvalidField(name));
                return 0;
            }
            return Error is null ? value.GetInt32() : 0;
        }

        public long Int64(string name)
        {
            if (!TryGet(name, out var value))
            {
                return 0;
            }
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var result))
            {
                return result;
            }
            Fail(ReasonCodes.InvalidField(name));
            return 0;
        }

        public decimal Decimal(string name, decimal? min = null)
        {
            if (!TryGet(name, out var value))
            {
                return 0m;
            }
            return ReadDecimal(name, value, min);
        }

        public decimal? OptionalDecimal(string name, decimal? min = null)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            return ReadDecimal(name, value, min);
        }

        public bool Boolean(string name)
        {
            if (!TryGet(name, out var value))
            {
                return false;
            }
            if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return value.GetBoolean();
            }
            Fail(ReasonCodes.InvalidField(name));
            return false;
        }

        public DateTimeOffset Timestamp(string name)
        {
            var text = String(name);
            if (text is null)
            {
                return default;
            }
            if (!HasOffset(text) || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var ts))
            {
                Fail(ReasonCodes.BadTimestamp);
                return default;
            }
            return ts;
        }

        public IReadOnlyList<T>? Array<T>(string name, Func<FieldReader, T> readItem)
        {
            if (!TryGet(name, out var value))
            {
                return null;
            }
            if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
            {
                Fail(ReasonCodes.InvalidField(name));
                return null;
            }
            var items = new List<T>(value.GetArrayLength());
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    Fail(ReasonCodes.InvalidField(name));
                    return null;
                }
                var itemReader = new FieldReader(item);
                var parsed = readItem(itemReader);
                if (itemReader.Error is { } itemError)
                {
                    Fail(itemError);
                    return null;
                }
                items.Add(parsed);
            }
            return items;
        }

        private decimal ReadDecimal(string name, JsonElement value, decimal? min)
        {
            if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var result) && (min is null || result >= min))
            {
                return result;
            }
            Fail(ReasonCodes.InvalidField(name));
            return 0m;
        }

        private bool TryGet(string name, out JsonElement value)
        {
            if (!element.TryGetProperty(name, out value) || value.ValueKind == JsonValueKind.Null)
            {
                Fail(ReasonCodes.MissingField(name));
                return false;
            }
            return true;
        }

        /// <summary>An ISO-8601 timestamp must carry Z or ±hh:mm: a store event's local date depends on it.</summary>
        private static bool HasOffset(string text)
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
    }
}
