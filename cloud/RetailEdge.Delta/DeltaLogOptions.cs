namespace RetailEdge.Delta;

/// <summary>How a table's log is committed and replayed; validated by <see cref="Validate"/>.</summary>
public sealed record DeltaLogOptions
{
    /// <summary>Commit attempts before giving up under contention (each attempt jumps to the newest version).</summary>
    public int MaxCommitAttempts { get; init; } = 50;

    /// <summary>First back-off after a lost race; doubles per attempt with jitter, up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long removed files stay as tombstones and survive vacuum (Spark default 7 days).</summary>
    public TimeSpan DeletedFileRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Checkpoint every N commits; null uses delta.checkpointInterval or 10.</summary>
    public int? CheckpointInterval { get; init; }

    /// <summary>Seed for back-off jitter (deterministic tests); null seeds from the clock.</summary>
    public int? RandomSeed { get; init; }

    public static DeltaLogOptions Default { get; } = new();

    public DeltaLogOptions Validate()
    {
        if (MaxCommitAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCommitAttempts), MaxCommitAttempts, "MaxCommitAttempts must be at least 1");
        }
        if (RetryBaseDelay < TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryMaxDelay), RetryMaxDelay, "RetryBaseDelay must be ≥ 0 and ≤ RetryMaxDelay");
        }
        if (DeletedFileRetention < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DeletedFileRetention), DeletedFileRetention, "DeletedFileRetention must be ≥ 0");
        }
        if (CheckpointInterval is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(CheckpointInterval), CheckpointInterval, "CheckpointInterval must be at least 1");
        }
        return this;
    }
}
