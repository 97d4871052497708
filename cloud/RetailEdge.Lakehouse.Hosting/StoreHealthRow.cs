using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
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
        var reported = twin.Reported;
        var lastSent = Time(reported, "lastSentAt");
        return new StoreHealthRow(
            Cap(twin.DeviceId),
            Cap(twin.ModuleId ?? string.Empty),
            storesByDevice.TryGetValue(twin.DeviceId, out var storeId) ? storeId : null,
            Text(reported, "status"),
            Text(reported, "version"),
            Time(reported, "lastEventAt"),
            lastSent,
            Number(reported, "bufferedBatches"),
            Number(reported, "oldestUnsentAgeSeconds"),
            Number(reported, "rejected"),
            Number(reported, "dropped"),
            Text(reported, "referenceDataVersion"),
            Text(reported, "referenceDataError"),
            Text(reported, "configError"),
            now,
            lastSent is null || now - lastSent.Value > staleAfter);
    }

    private static string Cap(string value) => value.Length <= MaxStringLength ? value : value[..MaxStringLength];

    private static string? Text(JsonObject reported, string name) =>
        reported[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? Cap(v.GetValue<string>()) : null;

    private static DateTimeOffset? Time(JsonObject reported, string name) =>
        Text(reported, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    private static long? Number(JsonObject reported, string name) =>
        reported[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) ? n : null;
}
