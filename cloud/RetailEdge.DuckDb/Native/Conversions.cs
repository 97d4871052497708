namespace RetailEdge.DuckDb.Native;

/// <summary>Conversions between DuckDB's storage formats and .NET types (duckdb.h type comments).</summary>
internal static class Conversions
{
    // DateOnly.DayNumber of 1970-01-01: DuckDB dates are days since the Unix epoch.
    private static readonly int EpochDayNumber = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    public static int ToDays(DateOnly value) => value.DayNumber - EpochDayNumber;

    public static DateOnly FromDays(int days)
    {
        try
        {
            return DateOnly.FromDayNumber(checked(days + EpochDayNumber));
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException)
        {
            throw new OverflowException($"DuckDB date ({days} days from 1970-01-01, possibly infinity) is outside DateOnly's range.", e);
        }
    }

    public static long ToMicros(DateTime value)
    {
        // Local times are converted so the instant is kept; Utc and Unspecified are taken as they are.
        if (value.Kind == DateTimeKind.Local)
        {
            value = value.ToUniversalTime();
        }
        return (value.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;
    }

    public static long ToMicros(DateTimeOffset value) =>
        (value.UtcTicks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;

    public static DateTime FromTicksSinceEpoch(long ticksSinceEpoch, DateTimeKind kind)
    {
        try
        {
            return new DateTime(checked(DateTime.UnixEpoch.Ticks + ticksSinceEpoch), kind);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException)
        {
            throw new OverflowException("DuckDB timestamp (possibly infinity) is outside DateTime's range.", e);
        }
    }

    public static DateTime FromMicros(long micros, DateTimeKind kind)
    {
        try
        {
            return FromTicksSinceEpoch(checked(micros * TimeSpan.TicksPerMicrosecond), kind);
        }
        catch (OverflowException e)
        {
            throw new OverflowException("DuckDB timestamp (possibly infinity) is outside DateTime's range.", e);
        }
    }

    public static long ToMicros(TimeOnly value) => value.Ticks / TimeSpan.TicksPerMicrosecond;

    public static TimeOnly FromTimeMicros(long micros) =>
        // 24:00:00 is a valid DuckDB TIME but not a TimeOnly; it maps to the last tick of the day.
        micros >= TimeSpan.TicksPerDay / TimeSpan.TicksPerMicrosecond ? TimeOnly.MaxValue : new TimeOnly(micros * TimeSpan.TicksPerMicrosecond);

    /// <summary>A DECIMAL's unscaled integer and scale as a System.Decimal (at most 28 digits of scale, 96 bits).</summary>
    public static decimal ToDecimal(Int128 unscaled, int scale)
    {
        if (scale > 28)
        {
            throw new OverflowException($"DECIMAL with scale {scale} does not fit System.Decimal (max scale 28); CAST it in SQL.");
        }
        var negative = unscaled < 0;
        var magnitude = negative ? (UInt128)(-unscaled) : (UInt128)unscaled;
        if (magnitude >> 96 != 0)
        {
            throw new OverflowException($"DECIMAL value does not fit System.Decimal's 96-bit mantissa; CAST it in SQL.");
        }
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), (int)(uint)(magnitude >> 64), negative, (byte)scale);
    }

    /// <summary>A System.Decimal as a DuckDB DECIMAL (width 18 when it fits in 64 bits, else 38).</summary>
    public static DuckDbDecimalStruct ToDecimalStruct(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (byte)((bits[3] >> 16) & 0xFF);
        var negative = bits[3] < 0;
        var magnitude = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        var unscaled = negative ? -(Int128)magnitude : (Int128)magnitude;
        byte width = magnitude < 1_000_000_000_000_000_000UL && scale <= 18 ? (byte)18 : (byte)38;
        return new DuckDbDecimalStruct { Width = width, Scale = scale, Value = new DuckDbHugeInt(unscaled) };
    }

    /// <summary>DuckDB stores a UUID as a hugeint with the top bit flipped, so that it sorts as text does.</summary>
    public static Guid ToGuid(DuckDbHugeInt value)
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, (ulong)value.Upper ^ (1UL << 63));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], value.Lower);
        return new Guid(bytes, bigEndian: true);
    }
}
