namespace RetailEdge.Delta.Storage;

/// <summary>Options of one write.</summary>
public sealed record DeltaWriteOptions
{
    public DeltaWriteMode Mode { get; init; } = DeltaWriteMode.Append;

    /// <summary>For <see cref="DeltaWriteMode.OverwritePartitions"/>: the partitions to replace (column → value, null for a null partition).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string?>>? Partitions { get; init; }

    /// <summary>Idempotent writes: the application id whose batch version is recorded in a txn action.</summary>
    public string? AppId { get; init; }

    /// <summary>The batch version for <see cref="AppId"/>; the write is skipped when the table already holds this version or a later one.</summary>
    public long? AppVersion { get; init; }

    /// <summary>commitInfo.operation; defaults to WRITE.</summary>
    public string Operation { get; init; } = "WRITE";

    public static DeltaWriteOptions Append { get; } = new();

    public void Validate()
    {
        if ((AppId is null) != (AppVersion is null))
        {
            throw new ArgumentException("AppId and AppVersion must be given together", nameof(AppId));
        }
        if (AppId is not null && string.IsNullOrWhiteSpace(AppId))
        {
            throw new ArgumentException("AppId must not be blank", nameof(AppId));
        }
        if (AppVersion is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(AppVersion), AppVersion, "AppVersion must be ≥ 0");
        }
        if (Partitions is not null && Mode != DeltaWriteMode.OverwritePartitions)
        {
            throw new ArgumentException("Partitions is only valid with Mode = OverwritePartitions", nameof(Partitions));
        }
    }
}
