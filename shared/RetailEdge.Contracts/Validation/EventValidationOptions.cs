namespace RetailEdge.Contracts.Validation;

/// <summary>What an event must satisfy beyond its shape.</summary>
public sealed record EventValidationOptions
{
    /// <summary>Events larger than this (raw bytes) are rejected as too_large. Default 64 KiB.</summary>
    public int MaxEventBytes { get; init; } = 64 * 1024;

    /// <summary>When set, an event for another store is rejected as wrong_store.</summary>
    public int? ExpectedStoreId { get; init; }

    /// <summary>How far ahead of the receiving clock an event time may be (clock skew). Default 5 minutes.</summary>
    public TimeSpan FutureTolerance { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>When set (reference data loaded), items outside it are rejected as unknown_item.</summary>
    public IReadOnlySet<long>? KnownItems { get; init; }

    /// <summary>
    /// When true (the default), an object that names a property twice is rejected as duplicate_key.
    /// False only to re-read what the journal already accepted (events journaled before the rule existed).
    /// </summary>
    public bool RejectDuplicateKeys { get; init; } = true;

    public void Validate()
    {
        if (MaxEventBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEventBytes), MaxEventBytes, "must be positive");
        }
        if (FutureTolerance < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(FutureTolerance), FutureTolerance, "must not be negative");
        }
    }
}
