using System.Diagnostics.CodeAnalysis;
using RetailEdge.Contracts;
using RetailEdge.IotHubService;

namespace RetailEdge.Lakehouse.Hosting;

/// <summary>
/// One StoreGateway module's health, as gold.store_health keeps it and `retailedge fleet status`
/// shows it. <see cref="FromTwin"/> is pure: twin values are untrusted input, so each is
/// type-checked and strings are capped; a wrong type becomes null rather than failing the fleet.
/// </summary>
public sealed record StoreHealthRow(
    string DeviceId,
    string ModuleId,
    int? StoreId,
    string? Status,
    string? Version,
    DateTimeOffset? LastEventAt,
    DateTimeOffset? LastSentAt,
    long? BufferedBatches,
    long? OldestUnsentAgeSeconds,
    long? Rejected,
    long? Dropped,
    string? ReferenceDataVersion,
    string? ReferenceDataError,
    string? ConfigError,
    DateTimeOffset ObservedAt,
    bool Stale)
{
    /// <summary>Longest string kept from a reported property; longer values are cut (twin values are up to 4 KB).</summary>
    public const int MaxStringLength = 512;

    /// <summary>Messages of this module in silver.quarantine (any reason); null when the lake has none to count.</summary>
    public long? Quarantined { get; init; }

    /// <summary>Of those, batches under a known (journal, seq) with different content (reason seq_conflict).</summary>
    public long? SeqConflicts { get; init; }

    /// <summary>The deployment the device runs (its deployment tag); shown live by `fleet status`, not kept in gold.store_health.</summary>
    public string? Deployment { get; init; }

    /// <summary>The module's image in the device's edgeAgent twin; shown live by `fleet status`, not kept in gold.store_health.</summary>
    public string? ModuleImage { get; init; }

    /// <summary>True when the module reports a configuration or reference-data error.</summary>
    public bool HasError => !string.IsNullOrEmpty(ConfigError) || !string.IsNullOrEmpty(ReferenceDataError);

    /// <summary>Neither stale nor reporting an error.</summary>
    public bool Healthy => !Stale && !HasError;

    /// <summary>
    /// The row for one module twin. A module is stale when it never reported a send, or its last
    /// send is older than <paramref name="staleAfter"/> at <paramref name="now"/>.
    /// </summary>
    public static StoreHealthRow FromTwin(Twin twin, IReadOnlyDictionary<string, int> storesByDevice, DateTimeOffset now, TimeSpan staleAfter)
    {
        ArgumentNullException.ThrowIfNull(twin);
        ArgumentNullException.ThrowIfNull(storesByDevice);
        // the module's own contract, read so that a value of the wrong type is left out rather than failing the fleet
        var reported = TolerantJson.Deserialize(twin.Reported, ContractsJsonContext.Default.GatewayReportedProperties, out _);
        return new StoreHealthRow(
            Cap(twin.DeviceId),
            Cap(twin.ModuleId ?? string.Empty),
            storesByDevice.TryGetValue(twin.DeviceId, out var storeId) ? storeId : null,
            Cap(reported.Status),
            Cap(reported.Version),
            reported.LastEventAt,
            reported.LastSentAt,
            reported.BufferedBatches,
            reported.OldestUnsentAgeSeconds,
            reported.Rejected,
            reported.Dropped,
            Cap(reported.ReferenceDataVersion),
            Cap(reported.ReferenceDataError),
            Cap(reported.ConfigError),
            now,
            reported.LastSentAt is not { } lastSent || now - lastSent > staleAfter);
    }

    [return: NotNullIfNotNull(nameof(value))]
    private static string? Cap(string? value) => value is null || value.Length <= MaxStringLength ? value : value[..MaxStringLength];
}
