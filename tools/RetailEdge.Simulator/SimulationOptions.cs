namespace RetailEdge.Simulator;

/// <summary>What to simulate. Validate() throws naming the bad setting.</summary>
public sealed record SimulationOptions
{
    /// <summary>The default start: 2026-11-02 (a Monday) at midnight, read in each store's own offset.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    /// <summary>"small", "reference" or "busy" (<see cref="SimulationProfile"/>).</summary>
    public string Profile { get; init; } = SimulationProfile.Small.Name;

    /// <summary>Stores 1..N (at most 999).</summary>
    public int Stores { get; init; } = 1;

    /// <summary>
    /// When the simulation starts. With <see cref="StartIsStoreLocal"/> (the default) only its date and
    /// time of day count: every store starts at that wall-clock time in its own UTC offset, so a day
    /// from midnight is one whole local business day for every store. Otherwise it is one instant for all.
    /// </summary>
    public DateTimeOffset Start { get; init; } = DefaultStart;

    public bool StartIsStoreLocal { get; init; } = true;

    public TimeSpan Duration { get; init; } = TimeSpan.FromDays(1);

    public int Seed { get; init; } = 1;

    /// <summary>Fault injection (<see cref="FaultSettings.None"/>, Default, Heavy or custom rates).</summary>
    public FaultSettings Faults { get; init; } = FaultSettings.None;

    /// <summary>The longest run accepted (a year of store-days).</summary>
    public static TimeSpan MaxDuration { get; } = TimeSpan.FromDays(366);

    public const int MaxStores = 999;

    public SimulationProfile ResolvedProfile => SimulationProfile.FromName(Profile);

    public void Validate()
    {
        if (!SimulationProfile.TryGet(Profile, out _))
        {
            throw new ArgumentException($"unknown profile '{Profile}' (expected small, reference or busy)", nameof(Profile));
        }
        if (Stores is < 1 or > MaxStores)
        {
            throw new ArgumentOutOfRangeException(nameof(Stores), Stores, $"stores must be between 1 and {MaxStores}");
        }
        if (Duration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Duration), Duration, "duration must be positive");
        }
        if (Duration > MaxDuration)
        {
            throw new ArgumentOutOfRangeException(nameof(Duration), Duration, $"duration must be at most {MaxDuration.TotalDays} days");
        }
        if (Start.Year is < 2000 or > 2100)
        {
            throw new ArgumentOutOfRangeException(nameof(Start), Start, "start must be between the years 2000 and 2100");
        }
        ArgumentNullException.ThrowIfNull(Faults);
        Faults.Validate();
    }
}
