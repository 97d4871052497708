using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using RetailEdge.Contracts;
using RetailEdge.Contracts.Events;

namespace RetailEdge.Simulator;

/// <summary>
/// Writes store events as exactly the bytes <see cref="StoreEventJson"/> writes (the contract),
/// straight into a reused buffer: the simulator's hot path. Strings that the contract's (relaxed)
/// encoder would escape or transcode (anything outside printable ASCII, quotes, backslashes) make it
/// fall back to the contract's writer for that event, so the bytes never differ. Tests compare every
/// generated event with <see cref="StoreEventJson.Serialize"/>.
/// </summary>
internal sealed class EventJsonWriter
{
    private readonly ArrayBufferWriter<byte> _fallbackBuffer = new(16 * 1024);
    private readonly Utf8JsonWriter _fallback;
    private byte[] _buffer = new byte[64 * 1024];
    private int _pos;

    public EventJsonWriter()
    {
        _fallback = new Utf8JsonWriter(_fallbackBuffer, ContractsJson.WriterOptions);
    }

    public byte[] Serialize(StoreEvent storeEvent)
    {
        _pos = 0;
        EnsureCapacity(storeEvent);
        if (TryWrite(storeEvent))
        {
            return _buffer.AsSpan(0, _pos).ToArray();
        }
        _fallbackBuffer.ResetWrittenCount();
        _fallback.Reset(_fallbackBuffer);
        StoreEventJson.Write(_fallback, storeEvent);
        _fallback.Flush();
        return _fallbackBuffer.WrittenSpan.ToArray();
    }

    private void EnsureCapacity(StoreEvent storeEvent)
    {
        var lines = storeEvent switch
        {
            BasketEvent b => b.Lines.Count,
            InventoryChangeEvent c => c.Lines.Count,
            InventorySnapshotEvent s => s.Counts.Count,
            _ => 0,
        };
        // a line is at most ~130 bytes (three decimals of up to 30 characters each); strings are
        // bounded by the fallback check below anyway
        var needed = 4096 + lines * 160;
        if (_buffer.Length < needed)
        {
            _buffer = new byte[Math.Max(needed, _buffer.Length * 2)];
        }
    }

    private bool TryWrite(StoreEvent storeEvent)
    {
        if (!Plain(storeEvent.Type) || !Plain(storeEvent.Id))
        {
            return false;
        }
        Raw("{\"type\":\""u8);
        Raw(storeEvent.Type);
        Raw("\",\"id\":\""u8);
        Raw(storeEvent.Id);
        Raw("\",\"storeId\":"u8);
        Number(storeEvent.StoreId);
        Raw(",\"ts\":\""u8);
        Timestamp(storeEvent.Ts);
        Raw("\""u8);
        switch (storeEvent)
        {
            case BasketEvent basket:
                if (!Plain(basket.LaneId) || !Plain(basket.Channel) || (basket.CustomerId is { } c && !Plain(c)) || (basket.Tender is { } t && !Plain(t)))
                {
                    return false;
                }
                Raw(",\"laneId\":\""u8);
                Raw(basket.LaneId);
                Raw("\",\"channel\":\""u8);
                Raw(basket.Channel);
                Raw("\""u8);
                if (basket.CustomerId is not null)
                {
                    Raw(",\"customerId\":\""u8);
                    Raw(basket.CustomerId);
                    Raw("\""u8);
                }
                Raw(",\"lines\":["u8);
                var lines = basket.Lines;
                for (var i = 0; i < lines.Count; i++)
                {
                    var line = lines[i];
                    Raw(i == 0 ? "{\"itemId\":"u8 : ",{\"itemId\":"u8);
                    Number(line.ItemId);
                    Raw(",\"qty\":"u8);
                    Number(line.Qty);
                    Raw(",\"unitPrice\":"u8);
                    Number(line.UnitPrice);
                    if (line.Discount != 0m)
                    {
                        Raw(",\"discount\":"u8);
                        Number(line.Discount);
                    }
                    Raw("}"u8);
                }
                Raw("]"u8);
                if (basket.Tender is not null)
                {
                    Raw(",\"tender\":\""u8);
                    Raw(basket.Tender);
                    Raw("\""u8);
                }
                break;
            case WeighingEvent weighing:
                if (!Plain(weighing.ScaleId))
                {
                    return false;
                }
                Raw(",\"scaleId\":\""u8);
                Raw(weighing.ScaleId);
                Raw("\",\"itemId\":"u8);
                Number(weighing.ItemId);
                Raw(",\"netKg\":"u8);
                Number(weighing.NetKg);
                Raw(",\"pricePerKg\":"u8);
                Number(weighing.PricePerKg);
                if (weighing.TareKg is { } tare)
                {
                    Raw(",\"tareKg\":"u8);
                    Number(tare);
                }
                Raw(weighing.LabelPrinted ? ",\"labelPrinted\":true"u8 : ",\"labelPrinted\":false"u8);
                break;
            case InventoryChangeEvent change:
                if (!Plain(change.ChangeType) || (change.Reason is { } r && !Plain(r)))
                {
                    return false;
                }
                Raw(",\"changeType\":\""u8);
                Raw(change.ChangeType);
                Raw("\",\"lines\":"u8);
                Lines(change.Lines);
                if (change.Reason is not null)
                {
                    Raw(",\"reason\":\""u8);
                    Raw(change.Reason);
                    Raw("\""u8);
                }
                break;
            case InventorySnapshotEvent snapshot:
                if (snapshot.EmployeeId is { } e && !Plain(e))
                {
                    return false;
                }
                if (snapshot.EmployeeId is not null)
                {
                    Raw(",\"employeeId\":\""u8);
                    Raw(snapshot.EmployeeId);
                    Raw("\""u8);
                }
                Raw(",\"counts\":"u8);
                Lines(snapshot.Counts);
                break;
            default:
                return false;
        }
        Raw("}"u8);
        return true;
    }

    private void Lines(IReadOnlyList<InventoryLine> lines)
    {
        Raw("["u8);
        for (var i = 0; i < lines.Count; i++)
        {
            Raw(i == 0 ? "{\"itemId\":"u8 : ",{\"itemId\":"u8);
            Number(lines[i].ItemId);
            Raw(",\"qty\":"u8);
            Number(lines[i].Qty);
            Raw("}"u8);
        }
        Raw("]"u8);
    }

    /// <summary>
    /// True when the relaxed JSON encoder writes the string as is, one byte per char: printable ASCII
    /// other than quote and backslash, and short enough for the buffer.
    /// </summary>
    private static bool Plain(string value)
    {
        if (value.Length > 1024)
        {
            return false;
        }
        foreach (var c in value)
        {
            if (c < 0x20 || c > 0x7E || c is '"' or '\\')
            {
                return false;
            }
        }
        return true;
    }

    private void Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.AsSpan(_pos));
        _pos += bytes.Length;
    }

    /// <summary>Copies a string already checked by <see cref="Plain"/> (ASCII: one byte per char).</summary>
    private void Raw(string value)
    {
        var span = _buffer.AsSpan(_pos, value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            span[i] = (byte)value[i];
        }
        _pos += value.Length;
    }

    private void Number(long value)
    {
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_pos), out var written);
        _pos += written;
    }

    /// <summary>
    /// A decimal as the general format writes it (every digit of its scale: 2.50, 0.435, -1). Small
    /// non-zero values (the simulator's prices and quantities) are written digit by digit; anything
    /// else goes through the formatter.
    /// </summary>
    private void Number(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var flags = bits[3];
        var scale = (flags >> 16) & 0xFF;
        var mantissa = (uint)bits[0];
        if (bits[1] != 0 || bits[2] != 0 || mantissa == 0 || scale > 9)
        {
            Utf8Formatter.TryFormat(value, _buffer.AsSpan(_pos), out var written);
            _pos += written;
            return;
        }
        if (flags < 0)
        {
            _buffer[_pos++] = (byte)'-';
        }
        Span<byte> digits = stackalloc byte[12];
        var count = 0;
        do
        {
            digits[count++] = (byte)('0' + mantissa % 10);
            mantissa /= 10;
        }
        while (mantissa != 0);
        // pad so that there is at least one digit before the point
        while (count <= scale)
        {
            digits[count++] = (byte)'0';
        }
        for (var i = count - 1; i >= 0; i--)
        {
            if (i == scale - 1)
            {
                _buffer[_pos++] = (byte)'.';
            }
            _buffer[_pos++] = digits[i];
        }
    }

    /// <summary>yyyy-MM-ddTHH:mm:ss.fff±hh:mm, as <see cref="StoreEventJson.TimestampFormat"/>.</summary>
    private void Timestamp(DateTimeOffset value)
    {
        var local = value.DateTime;
        Digits(local.Year, 4);
        _buffer[_pos++] = (byte)'-';
        Digits(local.Month, 2);
        _buffer[_pos++] = (byte)'-';
        Digits(local.Day, 2);
        _buffer[_pos++] = (byte)'T';
        Digits(local.Hour, 2);
        _buffer[_pos++] = (byte)':';
        Digits(local.Minute, 2);
        _buffer[_pos++] = (byte)':';
        Digits(local.Second, 2);
        _buffer[_pos++] = (byte)'.';
        Digits(local.Millisecond, 3);
        var offset = value.Offset;
        if (offset < TimeSpan.Zero)
        {
            _buffer[_pos++] = (byte)'-';
            offset = offset.Negate();
        }
        else
        {
            _buffer[_pos++] = (byte)'+';
        }
        Digits(offset.Hours, 2);
        _buffer[_pos++] = (byte)':';
        Digits(offset.Minutes, 2);
    }

    private void Digits(int value, int width)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            _buffer[_pos + i] = (byte)('0' + value % 10);
            value /= 10;
        }
        _pos += width;
    }
}
