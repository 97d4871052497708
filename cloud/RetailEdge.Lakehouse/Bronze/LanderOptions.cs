namespace RetailEdge.Lakehouse;

/// <summary>Bounds one landing commit so that memory and commit size stay small.</summary>
public sealed record LanderOptions
{
    /// <summary>The txn appId the lander's checkpoint is recorded under in bronze.telemetry.</summary>
    public string AppId { get; init; } = "retailedge-lander";

    public int MaxFilesPerCommit { get; init; } = 200;

    public long MaxBytesPerCommit { get; init; } = 64L * 1024 * 1024;

    /// <summary>Longest routed line parsed; a longer one is quarantined as line_too_large (a bounded sample kept), so memory stays bounded.</summary>
    public int MaxLineBytes { get; init; } = RoutedRecordParser.DefaultMaxLineBytes;

    public LanderOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(AppId))
        {
            throw new ArgumentException("LanderOptions.AppId must not be empty");
        }
        if (MaxFilesPerCommit < 1 || MaxBytesPerCommit < 1)
        {
            throw new ArgumentException("LanderOptions.MaxFilesPerCommit and MaxBytesPerCommit must be positive");
        }
        if (MaxLineBytes < RoutedRecordParser.OversizeSampleBytes)
        {
            throw new ArgumentException($"LanderOptions.MaxLineBytes must be at least {RoutedRecordParser.OversizeSampleBytes}");
        }
        return this;
    }
}
