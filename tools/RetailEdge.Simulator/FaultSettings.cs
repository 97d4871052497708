namespace RetailEdge.Simulator;

/// <summary>
/// How often each fault is injected, as a probability per valid event (LateSnapshot: per snapshot).
/// Faults come from their own seeded stream, so the valid events are the same whatever these rates.
/// At most one fault is drawn per valid event, so the per-event rates must add up to at most 1.
/// </summary>
public sealed record FaultSettings
{
    public string Name { get; init; } = "custom";

    public double Duplicate { get; init; }

    public double OutOfOrder { get; init; }

    public double Late { get; init; }

    public double MalformedJson { get; init; }

    public double MissingField { get; init; }

    public double WrongStore { get; init; }

    public double FutureTimestamp { get; init; }

    public double Oversized { get; init; }

    public double UnknownItem { get; init; }

    /// <summary>Probability that a count (snapshot event) arrives hours after its count time.</summary>
    public double LateSnapshot { get; init; }

    /// <summary>No faults: every event valid, in event-time order.</summary>
    public static FaultSettings None { get; } = new() { Name = "none" };

    /// <summary>A realistic trickle: about 1 % of events touched.</summary>
    public static FaultSettings Default { get; } = new()
    {
        Name = "default",
        Duplicate = 0.003,
        OutOfOrder = 0.004,
        Late = 0.001,
        MalformedJson = 0.0005,
        MissingField = 0.0005,
        WrongStore = 0.0002,
        FutureTimestamp = 0.0002,
        Oversized = 0.0001,
        UnknownItem = 0.0005,
        LateSnapshot = 0.1,
    };

    /// <summary>A bad day: about 10 % of events touched, every kind frequent enough to show in small runs.</summary>
    public static FaultSettings Heavy { get; } = new()
    {
        Name = "heavy",
        Duplicate = 0.02,
        OutOfOrder = 0.02,
        Late = 0.01,
        MalformedJson = 0.01,
        MissingField = 0.01,
        WrongStore = 0.005,
        FutureTimestamp = 0.005,
        Oversized = 0.003,
        UnknownItem = 0.01,
        LateSnapshot = 0.5,
    };

    public static IReadOnlyList<FaultSettings> Presets { get; } = [None, Default, Heavy];

    public double PerEventTotal =>
        Duplicate + OutOfOrder + Late + MalformedJson + MissingField + WrongStore + FutureTimestamp + Oversized + UnknownItem;

    public bool IsNone => PerEventTotal == 0 && LateSnapshot == 0;

    public static bool TryGet(string? name, out FaultSettings settings)
    {
        foreach (var preset in Presets)
        {
            if (string.Equals(preset.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                settings = preset;
                return true;
            }
        }
        settings = None;
        return false;
    }

    public static FaultSettings FromName(string name) =>
        TryGet(name, out var settings)
            ? settings
            : throw new ArgumentException($"unknown fault setting '{name}' (expected none, default or heavy)", nameof(name));

    /// <summary>The rate of one kind (<see cref="FaultKinds"/>).</summary>
    public double RateOf(string kind) => kind switch
    {
        FaultKinds.Duplicate => Duplicate,
        FaultKinds.OutOfOrder => OutOfOrder,
        FaultKinds.Late => Late,
        FaultKinds.MalformedJson => MalformedJson,
        FaultKinds.MissingField => MissingField,
        FaultKinds.WrongStore => WrongStore,
        FaultKinds.FutureTimestamp => FutureTimestamp,
        FaultKinds.Oversized => Oversized,
        FaultKinds.UnknownItem => UnknownItem,
        FaultKinds.LateSnapshot => LateSnapshot,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown fault kind"),
    };

    /// <summary>Throws naming the first bad rate.</summary>
    public void Validate()
    {
        foreach (var kind in FaultKinds.All)
        {
            var rate = RateOf(kind);
            if (double.IsNaN(rate) || rate < 0 || rate > 1)
            {
                throw new ArgumentOutOfRangeException(kind, rate, $"fault rate '{kind}' must be between 0 and 1");
            }
        }
        if (PerEventTotal > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(PerEventTotal), PerEventTotal, "the per-event fault rates add up to more than 1");
        }
    }
}
