namespace RetailEdge.Delta.Storage;

/// <summary>Options of a <see cref="DeltaTable"/>.</summary>
public sealed record DeltaTableOptions
{
    public DeltaLogOptions Log { get; init; } = DeltaLogOptions.Default;

    /// <summary>Local folder for staging files of remote tables; null uses the system temp folder.</summary>
    public string? ScratchDirectory { get; init; }

    /// <summary>Vacuum keeps unreferenced files younger than this (Spark's default 7 days).</summary>
    public TimeSpan VacuumRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Optimize rewrites files smaller than this.</summary>
    public long OptimizeSmallFileBytes { get; init; } = 32L * 1024 * 1024;

    public static DeltaTableOptions Default { get; } = new();

    public DeltaTableOptions Validate()
    {
        Log.Validate();
        if (VacuumRetention < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(VacuumRetention), VacuumRetention, "VacuumRetention must be ≥ 0");
        }
        if (OptimizeSmallFileBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(OptimizeSmallFileBytes), OptimizeSmallFileBytes, "OptimizeSmallFileBytes must be ≥ 1");
        }
        return this;
    }
}
