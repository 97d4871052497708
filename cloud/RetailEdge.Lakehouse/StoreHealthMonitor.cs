using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using RetailEdge.DuckDb;
using RetailEdge.IotHubService;

namespace RetailEdge.Lakehouse;

/// <summary>
/// The monitor of ARCHITECTURE.md §8: queries the StoreGateway module twins (following
/// continuations) and overwrites <c>gold.store_health</c> with one row per module, the store
/// taken from <c>reference.store</c>'s device_id. Twin values are untrusted input: each is
/// type-checked and strings are capped, a wrong type becomes null rather than failing the table.
/// </summary>
public sealed partial class StoreHealthMonitor
{
    /// <summary>The query of ARCHITECTURE.md §8.</summary>
    public const string TwinQuery = "SELECT * FROM devices.modules WHERE moduleId = 'StoreGateway'";

    /// <summary>Longest string kept from a reported property; longer values are cut (twin values are up to 4 KB).</summary>
    public const int MaxStringLength = 512;

    private readonly LakeContext _lake;
    private readonly IotHubServiceClient _client;
    private readonly TimeSpan _staleAfter;
    private readonly ILogger<StoreHealthMonitor> _logger;

    public StoreHealthMonitor(LakeContext lake, IotHubServiceClient client, TimeSpan staleAfter, ILogger<StoreHealthMonitor> logger)
    {
        _lake = lake ?? throw new ArgumentNullException(nameof(lake));
        _client = client ?? throw new ArgumentNullException(nameof(client));
        if (staleAfter <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(staleAfter), "the stale threshold must be positive");
        }
        _staleAfter = staleAfter;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Reads every StoreGateway twin and replaces gold.store_health; returns the number of rows written.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = _lake.TimeProvider.GetUtcNow();
        var twins = new List<Twin>();
        await foreach (var twin in _client.QueryTwinsAsync(TwinQuery, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            twins.Add(twin);
        }
        using var connection = _lake.Connect();
        var stores = await ReadStoresAsync(connection, cancellationToken).ConfigureAwait(false);
        var select = new StringBuilder();
        foreach (var twin in twins.OrderBy(t => t.DeviceId, StringComparer.Ordinal))
        {
            select.Append(select.Length == 0 ? string.Empty : " UNION ALL ").Append(RowSql(twin, stores, now, _staleAfter));
        }
        if (select.Length == 0)
        {
            // an empty fleet still overwrites: a table that keeps removed stores would report them as alive
            select.Append(RowSql(null, stores, now, _staleAfter)).Append(" WHERE false");
        }
        var table = _lake.Table(LakeTables.StoreHealth);
        var snapshot = await table.TryLoadAsync(cancellationToken).ConfigureAwait(false);
        await table.WriteAsync(connection, snapshot, select.ToString(), LakeWriteMode.Replace, null, [], null, "WRITE", cancellationToken).ConfigureAwait(false);
        LogWritten(_logger, twins.Count, twins.Count(t => IsStale(t, now, _staleAfter)));
        return twins.Count;
    }

    private async Task<Dictionary<string, int>> ReadStoresAsync(DuckDbConnection connection, CancellationToken cancellationToken)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        var table = _lake.Table(LakeTables.ReferenceStore);
        var snapshot = await table.TryLoadAsync(cancellationToken).ConfigureAwait(false);
        if (snapshot is null)
        {
            return map;
        }
        var sql = await table.SelectSqlAsync(snapshot.Files, cancellationToken).ConfigureAwait(false);
        using var result = connection.Query($"SELECT device_id, store_id FROM ({sql}) WHERE device_id IS NOT NULL");
        while (result.Read())
        {
            map[result.GetString(0)] = result.GetInt32(1);
        }
        return map;
    }

    private static bool IsStale(Twin twin, DateTimeOffset now, TimeSpan staleAfter)
    {
        var lastSent = Time(twin.Reported, "lastSentAt");
        return lastSent is null || now - lastSent.Value > staleAfter;
    }

    private static string RowSql(Twin? twin, IReadOnlyDictionary<string, int> stores, DateTimeOffset now, TimeSpan staleAfter)
    {
        var reported = twin?.Reported ?? [];
        var deviceId = Cap(twin?.DeviceId ?? string.Empty);
        int? storeId = twin is not null && stores.TryGetValue(twin.DeviceId, out var s) ? s : null;
        var stale = twin is null || IsStale(twin, now, staleAfter);
        return "SELECT "
            + Literal(deviceId) + " AS device_id, "
            + Literal(Cap(twin?.ModuleId ?? string.Empty)) + " AS module_id, "
            + (storeId is null ? "CAST(NULL AS INTEGER)" : storeId.Value.ToString(CultureInfo.InvariantCulture)) + " AS store_id, "
            + Literal(Text(reported, "status")) + " AS status, "
            + Literal(Text(reported, "version")) + " AS version, "
            + Timestamp(Time(reported, "lastEventAt")) + " AS last_event_at, "
            + Timestamp(Time(reported, "lastSentAt")) + " AS last_sent_at, "
            + Number(reported, "bufferedBatches") + " AS buffered_batches, "
            + Number(reported, "oldestUnsentAgeSeconds") + " AS oldest_unsent_age_seconds, "
            + Number(reported, "rejected") + " AS rejected, "
            + Number(reported, "dropped") + " AS dropped, "
            + Literal(Text(reported, "referenceDataVersion")) + " AS reference_data_version, "
            + Literal(Text(reported, "referenceDataError")) + " AS reference_data_error, "
            + Literal(Text(reported, "configError")) + " AS config_error, "
            + Timestamp(now) + " AS observed_at, "
            + (stale ? "true" : "false") + " AS stale";
    }

    private static string Cap(string value) => value.Length <= MaxStringLength ? value : value[..MaxStringLength];

    private static string? Text(JsonObject reported, string name) =>
        reported[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? Cap(v.GetValue<string>()) : null;

    private static DateTimeOffset? Time(JsonObject reported, string name) =>
        Text(reported, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    private static string Number(JsonObject reported, string name) =>
        reported[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n)
            ? n.ToString(CultureInfo.InvariantCulture)
            : "CAST(NULL AS BIGINT)";

    private static string Literal(string? value) => value is null ? "CAST(NULL AS VARCHAR)" : DuckDbSql.QuoteLiteral(value);

    private static string Timestamp(DateTimeOffset? value) => value is null
        ? "CAST(NULL AS TIMESTAMPTZ)"
        : "CAST(" + DuckDbSql.QuoteLiteral(value.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00") + " AS TIMESTAMPTZ)";

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote gold.store_health: {Modules} StoreGateway twins, {Stale} stale")]
    private static partial void LogWritten(ILogger logger, int modules, int stale);
}
