namespace RetailEdge.DuckDb;

/// <summary>A DuckDB INTERVAL: months, days and microseconds are kept apart, as DuckDB does.</summary>
public readonly record struct DuckDbInterval(int Months, int Days, long Micros)
{
    /// <summary>An interval of exactly <paramref name="value"/> (days and microseconds, no months).</summary>
    public static DuckDbInterval FromTimeSpan(TimeSpan value)
    {
        var days = value.Days;
        return new DuckDbInterval(0, days, (value - TimeSpan.FromDays(days)).Ticks / TimeSpan.TicksPerMicrosecond);
    }

    /// <summary>The interval as a <see cref="TimeSpan"/>; months have no fixed length, so they are refused.</summary>
    public TimeSpan ToTimeSpan()
    {
        if (Months != 0)
        {
            throw new InvalidCastException($"The interval has {Months} months, which have no fixed length as a TimeSpan.");
        }
        return TimeSpan.FromDays(Days) + TimeSpan.FromTicks(checked(Micros * TimeSpan.TicksPerMicrosecond));
    }
}
