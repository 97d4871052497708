using System.Text;
using System.Text.Json;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Validation;

namespace RetailEdge.Contracts.Tests;

/// <summary>
/// The validator reads usual events with a single reader pass and falls back to a JSON document for
/// the rest. These tests hold both to the same verdict: every input is judged by
/// <see cref="EventValidator.Validate(ReadOnlySpan{byte}, DateTimeOffset)"/> and by the document
/// path (parse a <see cref="JsonDocument"/>, then the public element overload), and reason, detail,
/// event id and the parsed event must be equal.
/// </summary>
public class EventValidatorFastPathTests
{
    private static readonly DateTimeOffset ReceivedAt = TestEvents.Noon.AddMinutes(1);

    private static readonly string[] Values =
    [
        "0", "-0", "1", "2", "-1", "1.0", "0.10", "1.235", "-1.99", "1e2", "1E+2", "1.5e-3", "2147483647", "2147483648", "-2147483649",
        "9223372036854775807", "9223372036854775808", "79228162514264337593543950335", "79228162514264337593543950336",
        "0.0000000000000000000000000001", "0.00000000000000000000000000001", "123456789012345678901234", "1234567890123456789012345",
        "\"1\"", "\"\"", "\"x\"", "null", "true", "false", "{}", "[]", "[1]", "[{}]", "{\"a\":1}", "\"store\"", "\"online\"", "\"bopis\"",
        "\"restock\"", "\"shrink\"", "\"adjustment\"", "\"sale\"", "\"basket\"", "\"weighing\"", "\"inventory_change\"", "\"inventory_snapshot\"",
        "\"caf\\u00e9\"", "\"caf\u00e9\"", "\"a\\\"b\"", "\"" + new string('x', 128) + "\"", "\"" + new string('x', 129) + "\"",
        "\"2026-11-20T12:00:00Z\"", "\"2026-11-20T12:00:00.000+01:00\"", "\"2026-11-20T12:00:00.1234567-05:30\"", "\"2026-11-20T12:00:00.12345678Z\"",
        "\"2026-11-20T12:00:00.1Z\"", "\"2026-11-20T12:00:00z\"", "\"2026-02-29T12:00:00Z\"", "\"2024-02-29T12:00:00Z\"", "\"2026-11-20T24:00:00Z\"",
        "\"2026-11-20T12:60:00Z\"", "\"2026-11-20T12:00:60Z\"", "\"2026-13-20T12:00:00Z\"", "\"2026-11-20T12:00:00+14:00\"", "\"2026-11-20T12:00:00+13:59\"",
        "\"2026-11-20T12:00:00+15:00\"", "\"2026-11-20T12:00:00-12:00\"", "\"2026-11-20T12:00:00+01:60\"", "\"2026-11-20T12:00:00.+01:00\"",
        "\"2026-11-20T12:00:00,5+01:00\"", "\"0001-01-01T00:00:00+01:00\"", "\"9999-12-31T23:59:59-01:00\"", "\"2026-11-20T12:00:00.000+0100\"",
        "\"2026-11-20 12:00:00Z\"", "\"2026-11-20T12:00:00\"", "\"2026-1-20T12:00:00.000+01:00\"", "\"2026-11-20T12:00:00 +01:00\"",
        "\"2026-11-20T12:00:00.000\\u002B01:00\"", "\"２026-11-20T12:00:00Z\"", "\"2026-11-20T1a:00:00Z\"", "\"-026-11-20T12:00:00Z\"",
    ];

    private static readonly string[] Names =
    [
        "type", "id", "storeId", "ts", "laneId", "channel", "customerId", "tender", "lines", "scaleId", "itemId", "netKg", "pricePerKg", "tareKg",
        "labelPrinted", "changeType", "reason", "employeeId", "counts", "qty", "unitPrice", "discount", "extra", "t\\u0079pe", "Type",
    ];

    [Fact]
    public void Validate_ValidEvents_SameAsDocumentPath()
    {
        foreach (var storeEvent in TestEvents.All())
        {
            var raw = StoreEventJson.Serialize(storeEvent);
            AssertSame(raw, new EventValidationOptions());
            // The usual event must take the fast path, or the comparisons here compare a path with itself.
            Assert.True(StoreEventReader.TryRead(raw, rejectDuplicateKeys: true, out _, out var parsed));
            Assert.NotNull(parsed);
        }
    }

    [Fact]
    public void Validate_EveryFieldGivenEveryValue_SameAsDocumentPath()
    {
        var options = new EventValidationOptions { ExpectedStoreId = 17, KnownItems = new HashSet<long> { 1001, 1002, 1003, 2001 } };
        var checkedInputs = 0;
        foreach (var storeEvent in TestEvents.All())
        {
            var json = Encoding.UTF8.GetString(StoreEventJson.Serialize(storeEvent));
            foreach (var name in Names)
            {
                var key = "\"" + name + "\":";
                var at = json.IndexOf(key, StringComparison.Ordinal);
                foreach (var value in Values)
                {
                    if (at >= 0)
                    {
                        // Replace the first value of this field (a line's field inside an array when it only occurs there).
                        var start = at + key.Length;
                        var end = ValueEnd(json, start);
                        AssertSame(Encoding.UTF8.GetBytes(json[..start] + value + json[end..]), options);
                        // The field once more at the end of its object: ambiguous, a duplicate_key on both paths.
                        AssertSame(Encoding.UTF8.GetBytes(json[..start] + json[start..end] + "," + key + value + json[end..]), options);
                    }
                    // The field added at the top level.
                    AssertSame(Encoding.UTF8.GetBytes("{" + key + value + "," + json[1..]), options);
                    checkedInputs += 3;
                }
                if (at >= 0)
                {
                    // The field removed.
                    var end = ValueEnd(json, at + key.Length);
                    var removed = json[..at] + json[end..];
                    AssertSame(Encoding.UTF8.GetBytes(removed.Replace(",,", ",", StringComparison.Ordinal).Replace("{,", "{", StringComparison.Ordinal).Replace(",}", "}", StringComparison.Ordinal)), options);
                }
            }
        }
        Assert.True(checkedInputs > 10_000);
    }

    [Fact]
    public void Validate_RandomDamage_SameAsDocumentPath()
    {
        var random = new Random(12345);
        var pieces = new[] { "{", "}", "[", "]", ",", ":", "\"", "\\", " ", "\n", "1", "-", ".", "e", "null", "x", "\u00e9", "\t", "\0" };
        foreach (var storeEvent in TestEvents.All())
        {
            var json = Encoding.UTF8.GetString(StoreEventJson.Serialize(storeEvent));
            for (var i = 0; i < 3000; i++)
            {
                var text = new StringBuilder(json);
                for (var edits = random.Next(1, 4); edits > 0 && text.Length > 0; edits--)
                {
                    var position = random.Next(text.Length);
                    switch (random.Next(3))
                    {
                        case 0:
                            text.Remove(position, 1);
                            break;
                        case 1:
                            text.Insert(position, pieces[random.Next(pieces.Length)]);
                            break;
                        default:
                            text[position] = pieces[random.Next(pieces.Length)][0];
                            break;
                    }
                }
                AssertSame(Encoding.UTF8.GetBytes(text.ToString()), new EventValidationOptions { ExpectedStoreId = 17 });
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{}")]
    [InlineData("{} {}")]
    [InlineData("[]")]
    [InlineData("{\"type\":\"basket\"} x")]
    [InlineData("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{\"j\":{\"k\":{\"l\":{\"m\":{\"n\":{\"o\":{\"p\":{\"q\":1}}}}}}}}}}}}}}}}}")]
    [InlineData("{\"type\":\"basket\",\"id\":\"b\",\"storeId\":17,\"ts\":\"2026-11-20T12:00:00Z\",\"laneId\":\"l\",\"channel\":\"store\",\"lines\":[1]}")]
    [InlineData("{\"type\":\"basket\",\"id\":\"b\",\"storeId\":17,\"ts\":\"2026-11-20T12:00:00Z\",\"laneId\":\"l\",\"channel\":\"store\",\"lines\":[ ]}")]
    [InlineData("{\"type\":\"basket\",\"id\":\"b\",\"storeId\":17,\"ts\":\"2026-11-20T12:00:00Z\",\"laneId\":\"l\",\"channel\":\"store\",\"lines\":[{\"itemId\":1,\"qty\":1,\"unitPrice\":1,\"itemId\":2}]}")]
    [InlineData("{\"type\":\"basket\",\"id\":\"b\",\"storeId\":17,\"ts\":\"2026-11-20T12:00:00Z\",\"laneId\":\"l\",\"channel\":\"store\",\"lines\":[{\"itemId\":1,\"qty\":1,\"unitPrice\":1,\"x\":[[1]]},{\"itemId\":1,\"qty\":\"1\"}]}")]
    public void Validate_EdgeDocuments_SameAsDocumentPath(string json) => AssertSame(Encoding.UTF8.GetBytes(json), new EventValidationOptions());

    private static void AssertSame(byte[] raw, EventValidationOptions options)
    {
        var validator = new EventValidator(options);
        var actual = validator.Validate(raw, ReceivedAt);
        var expected = DocumentPath(validator, raw);
        var input = Encoding.UTF8.GetString(raw);
        Assert.True(expected.Reason == actual.Reason, $"reason {actual.Reason} != {expected.Reason} for {input}");
        Assert.True(expected.Detail == actual.Detail, $"detail {actual.Detail} != {expected.Detail} for {input}");
        Assert.True(expected.EventId == actual.EventId, $"event id {actual.EventId} != {expected.EventId} for {input}");
        Assert.Equal(expected.IsValid, actual.IsValid);
        if (expected.Event is { } e)
        {
            var a = actual.Event!;
            Assert.Equal(e.GetType(), a.GetType());
            Assert.Equal(e.Ts.UtcTicks, a.Ts.UtcTicks);
            Assert.Equal(e.Ts.Offset, a.Ts.Offset);
            Assert.Equal(Describe(e), Describe(a));
        }
    }

    /// <summary>The rules spelled out: UTF-8 first, then a strict parse (a repeated property is duplicate_key), then the fields.</summary>
    private static ValidationResult DocumentPath(EventValidator validator, byte[] raw)
    {
        if (!System.Text.Unicode.Utf8.IsValid(raw))
        {
            return ValidationResult.Rejected(ReasonCodes.InvalidUtf8, validator.Validate(raw, ReceivedAt).Detail);
        }
        try
        {
            using var document = JsonDocument.Parse(raw, new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
            return validator.Validate(document.RootElement, ReceivedAt);
        }
        catch (JsonException e)
        {
            try
            {
                using var lenient = JsonDocument.Parse(raw, new JsonDocumentOptions { MaxDepth = 16 });
                return ValidationResult.Rejected(ReasonCodes.DuplicateKey, e.Message);
            }
            catch (JsonException)
            {
                return ValidationResult.Rejected(ReasonCodes.MalformedJson, e.Message);
            }
        }
    }

    /// <summary>Every value of a parsed event, decimals with their scale (1.0 and 1 differ in the JSON written later).</summary>
    private static string Describe(StoreEvent e) => e switch
    {
        BasketEvent b => $"{b.Id}|{b.StoreId}|{b.LaneId}|{b.Channel}|{b.CustomerId}|{b.Tender}|" + string.Join(";", b.Lines.Select(l => $"{l.ItemId},{l.Qty},{l.UnitPrice},{l.Discount}")),
        WeighingEvent w => $"{w.Id}|{w.StoreId}|{w.ScaleId}|{w.ItemId}|{w.NetKg}|{w.PricePerKg}|{w.TareKg}|{w.LabelPrinted}",
        InventoryChangeEvent c => $"{c.Id}|{c.StoreId}|{c.ChangeType}|{c.Reason}|" + string.Join(";", c.Lines.Select(l => $"{l.ItemId},{l.Qty}")),
        InventorySnapshotEvent s => $"{s.Id}|{s.StoreId}|{s.EmployeeId}|" + string.Join(";", s.Counts.Select(l => $"{l.ItemId},{l.Qty}")),
        _ => throw new ArgumentException("unknown event type", nameof(e)),
    };

    /// <summary>End of the JSON value starting at <paramref name="start"/> (string, number, literal, object or array).</summary>
    private static int ValueEnd(string json, int start)
    {
        var depth = 0;
        var inString = false;
        for (var i = start; i < json.Length; i++)
        {
            var c = json[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                    if (depth == 0)
                    {
                        return i + 1;
                    }
                }
                continue;
            }
            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '{' or '[':
                    depth++;
                    break;
                case '}' or ']':
                    if (depth == 0)
                    {
                        return i;
                    }
                    depth--;
                    if (depth == 0)
                    {
                        return i + 1;
                    }
                    break;
                case ',' when depth == 0:
                    return i;
                default:
                    break;
            }
        }
        return json.Length;
    }
}
