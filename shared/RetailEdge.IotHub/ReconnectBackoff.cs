namespace RetailEdge.IotHub;

/// <summary>
/// Exponential back-off with ±20 % jitter for reconnects and retries: the base delay starts at
/// the minimum and doubles per failure up to the maximum; every delay handed out is spread by
/// ±<see cref="Jitter"/> (never above the maximum), so a fleet that lost its hub or broker at the
/// same moment does not come back in step. Not thread-safe: one per retry loop.
/// </summary>
public sealed class ReconnectBackoff
{
    /// <summary>The spread of each delay around its base: ±20 %.</summary>
    public const double Jitter = 0.2;

    // doubling a zero minimum would never grow: the first step up is at least this
    private static readonly TimeSpan SmallestStep = TimeSpan.FromMilliseconds(1);

    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly Random _random;
    private TimeSpan _base;

    /// <summary>Creates the back-off; <paramref name="random"/> only for reproducible tests.</summary>
    public ReconnectBackoff(TimeSpan min, TimeSpan max, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(min, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        _min = min;
        _max = max;
        _random = random ?? Random.Shared;
        _base = min;
    }

    /// <summary>The delay before the next attempt (jittered), and doubles the base for the one after.</summary>
    public TimeSpan Next()
    {
        var spread = 1 + (Jitter * ((_random.NextDouble() * 2) - 1));
        var delay = TimeSpan.FromTicks((long)Math.Min(_max.Ticks, _base.Ticks * spread));
        _base = _base.Ticks >= _max.Ticks / 2 ? _max : TimeSpan.FromTicks(Math.Min(_max.Ticks, Math.Max(_base.Ticks * 2, SmallestStep.Ticks)));
        return delay;
    }

    /// <summary>Back to the minimum (after a success).</summary>
    public void Reset() => _base = _min;
}
