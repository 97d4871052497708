using System.Buffers;
using System.Text.Json;

namespace RetailEdge.Contracts.Events;

/// <summary>
/// Writes store events as the JSON objects of ARCHITECTURE.md §4 (the <c>type</c> first,
/// camelCase fields, timestamps with their offset). Hand-written rather than reflection-based so
/// that output is byte-stable and fast enough for the simulator's million events a second.
/// </summary>
public static class StoreEventJson
{
    /// <summary>Timestamps keep millisecond precision and the event's own offset.</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffzzz";

    public static byte[] Serialize(StoreEvent storeEvent)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, ContractsJson.WriterOptions))
        {
            Write(writer, storeEvent);
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(Utf8JsonWriter writer, StoreEvent storeEvent)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(storeEvent);
        writer.WriteStartObject();
        writer.WriteString("type", storeEvent.Type);
        writer.WriteString("id", storeEvent.Id);
        writer.WriteNumber("storeId", storeEvent.StoreId);
        WriteTimestamp(writer, "ts", storeEvent.Ts);
        switch (storeEvent)
        {
            case BasketEvent basket:
                writer.WriteString("laneId", basket.LaneId);
                writer.WriteString("channel", basket.Channel);
                if (basket.CustomerId is not null)
                {
                    writer.WriteString("customerId", basket.CustomerId);
                }
                writer.WriteStartArray("lines");
                foreach (var line in basket.Lines)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("itemId", line.ItemId);
                    writer.WriteNumber("qty", line.Qty);
                    writer.WriteNumber("unitPrice", line.UnitPrice);
                    if (line.Discount != 0m)
                    {
                        writer.WriteNumber("discount", line.Discount);
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                if (basket.Tender is not null)
                {
                    writer.WriteString("tender", basket.Tender);
                }
                break;
            case WeighingEvent weighing:
                writer.WriteString("scaleId", weighing.ScaleId);
                writer.WriteNumber("itemId", weighing.ItemId);
                writer.WriteNumber("netKg", weighing.NetKg);
                writer.WriteNumber("pricePerKg", weighing.PricePerKg);
                if (weighing.TareKg is { } tare)
                {
                    writer.WriteNumber("tareKg", tare);
                }
                writer.WriteBoolean("labelPrinted", weighing.LabelPrinted);
                break;
            case InventoryChangeEvent change:
                writer.WriteString("changeType", change.ChangeType);
                WriteLines(writer, "lines", change.Lines);
                if (change.Reason is not null)
                {
                    writer.WriteString("reason", change.Reason);
                }
                break;
            case InventorySnapshotEvent snapshot:
                if (snapshot.EmployeeId is not null)
                {
                    writer.WriteString("employeeId", snapshot.EmployeeId);
                }
                WriteLines(writer, "counts", snapshot.Counts);
                break;
            default:
                throw new ArgumentException($"unknown event type {storeEvent.GetType().Name}", nameof(storeEvent));
        }
        writer.WriteEndObject();
    }

    public static void WriteTimestamp(Utf8JsonWriter writer, string name, DateTimeOffset value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> chars = stackalloc char[40];
        if (!value.TryFormat(chars, out var written, TimestampFormat, System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new FormatException("timestamp does not fit");
        }
        writer.WriteString(name, chars[..written]);
    }

    public static string FormatTimestamp(DateTimeOffset value) =>
        value.ToString(TimestampFormat, System.Globalization.CultureInfo.InvariantCulture);

    private static void WriteLines(Utf8JsonWriter writer, string name, IReadOnlyList<InventoryLine> lines)
    {
        writer.WriteStartArray(name);
        foreach (var line in lines)
        {
            writer.WriteStartObject();
            writer.WriteNumber("itemId", line.ItemId);
            writer.WriteNumber("qty", line.Qty);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }
}
