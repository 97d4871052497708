namespace RetailEdge.Simulator;

/// <summary>
/// A store's traffic over the day, per minute of local time: nothing outside opening hours, a lunch
/// peak around 12:15 and a larger after-work peak around 17:45 on a steady base. Drives when baskets
/// and weighings happen and how many lanes are open.
/// </summary>
internal sealed class DailyCurve
{
    public const int MinutesPerDay = 1440;

    /// <summary>Monday … Sunday traffic relative to the weekly average (they average 1.0).</summary>
    private static readonly double[] DayOfWeekFactors = [0.95, 0.95, 0.95, 1.0, 1.1, 1.2, 0.85];

    private readonly AliasTable _minutes;
    private readonly byte[] _openLanes;

    public DailyCurve(SimulationProfile profile)
    {
        var weights = new double[MinutesPerDay];
        var open = profile.OpenHour * 60;
        var close = profile.CloseHour * 60;
        var max = 0.0;
        for (var m = open; m < close; m++)
        {
            var lunch = (m - 735) / 70.0;
            var evening = (m - 1065) / 80.0;
            weights[m] = 0.35 + 0.9 * Math.Exp(-lunch * lunch / 2) + 1.3 * Math.Exp(-evening * evening / 2);
            max = Math.Max(max, weights[m]);
        }
        _minutes = new AliasTable(weights);
        _openLanes = new byte[MinutesPerDay];
        for (var m = 0; m < MinutesPerDay; m++)
        {
            _openLanes[m] = (byte)Math.Clamp((int)Math.Ceiling(profile.Lanes * weights[m] / max), 1, profile.Lanes);
        }
        OpenMinute = open;
        CloseMinute = close;
    }

    public int OpenMinute { get; }

    public int CloseMinute { get; }

    public static double DayFactor(DayOfWeek day) => DayOfWeekFactors[((int)day + 6) % 7];

    /// <summary>A time of day (ticks since local midnight) drawn from the curve, millisecond precision.</summary>
    public long SampleTimeOfDay(SimRandom random)
    {
        var minute = _minutes.Sample(random);
        return minute * TimeSpan.TicksPerMinute + random.Next(60_000) * TimeSpan.TicksPerMillisecond;
    }

    /// <summary>A time of day drawn uniformly over opening hours, millisecond precision.</summary>
    public long SampleOpenTime(SimRandom random) =>
        OpenMinute * TimeSpan.TicksPerMinute + random.Next((CloseMinute - OpenMinute) * 60_000) * TimeSpan.TicksPerMillisecond;

    /// <summary>Lanes open at a time of day (at least one).</summary>
    public int OpenLanes(long timeOfDayTicks) => _openLanes[Math.Clamp((int)(timeOfDayTicks / TimeSpan.TicksPerMinute), 0, MinutesPerDay - 1)];
}
