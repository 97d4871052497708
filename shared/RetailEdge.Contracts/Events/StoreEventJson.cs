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
        Span<byte> utf8 = stackalloc byte[TimestampLength];
        FormatTimestampUtf8(value, utf8);
        writer.WriteString(name, utf8);
    }

    /// <summary>Length of <see cref="TimestampFormat"/>'s output in bytes.</summary>
    internal const int TimestampLength = 29;

    /// <summary>
    /// Writes exactly what <see cref="TimestampFormat"/> gives (yyyy-MM-ddTHH:mm:ss.fff±hh:mm, the
    /// milliseconds truncated) into <paramref name="destination"/>, without the general formatter:
    /// batches carry a timestamp in nearly every row.
    /// </summary>
    internal static void FormatTimestampUtf8(DateTimeOffset value, Span<byte> destination)
    {
        var local = value.DateTime;
        Digits(destination, 0, local.Year, 4);
        destination[4] = (byte)'-';
        Digits(destination, 5, local.Month, 2);
        destination[7] = (byte)'-';
        Digits(destination, 8, local.Day, 2);
        destination[10] = (byte)'T';
        Digits(destination, 11, local.Hour, 2);
        destination[13] = (byte)':';
        Digits(destination, 14, local.Minute, 2);
        destination[16] = (byte)':';
        Digits(destination, 17, local.Second, 2);
        destination[19] = (byte)'.';
        Digits(destination, 20, (int)(local.Ticks / TimeSpan.TicksPerMillisecond % 1000), 3);
        var offsetMinutes = (int)(value.Offset.Ticks / TimeSpan.TicksPerMinute);
        destination[23] = offsetMinutes < 0 ? (byte)'-' : (byte)'+';
        offsetMinutes = Math.Abs(offsetMinutes);
        Digits(destination, 24, offsetMinutes / 60, 2);
        destination[26] = (byte)':';
        Digits(destination, 27, offsetMinutes % 60, 2);
    }

    private static void Digits(Span<byte> destination, int at, int value, int count)
    {
        for (var i = at + count - 1; i >= at; i--)
        {
            destination[i] = (byte)('0' + value % 10);
            value /= 10;
        }
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
