using RetailEdge.Delta.Storage;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using DuckDB.NET.Data;
using RetailEdge.IotHubService;
using RetailEdge.Lakehouse;

namespace RetailEdge.Lakehouse.Hosting;

/// <summary>
/// The monitor of ARCHITECTURE.md §8: queries the StoreGateway module twins (following
/// continuations) and overwrites <c>gold.store_health</c> with one row per module, the store
/// taken from <c>reference.store</c>'s device_id. Twin values are untrusted input: each is
/// type-checked and strings are capped, a wrong type becomes null rather than failing the table.
/// </summary>
public sealed partial class StoreHealthMonitor : IStoreHealthMonitor
{
    /// <summary>The query of ARCHITECTURE.md §8.</summary>
    public const string TwinQuery = "SELECT * FROM devices.modules WHERE moduleId = 'StoreGateway'";

    /// <summary>Longest string kept from a reported property; longer values are cut (twin values are up to 4 KB).</summary>
    public const int MaxStringLength = StoreHealthRow.MaxStringLength;

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

    /// <summary>
    /// <see cref="RunOnceAsync"/> for the pipeline: the hub being unreachable (or its Azure.Identity token
    /// unavailable) must not stop the lake, so store_health keeps its last state and the next pass retries.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RunOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IotHubServiceException or HttpRequestException or AzureCredentialException)
        {
            LogRefreshFailed(_logger, e.Message);
        }
    }

    /// <summary>Reads every StoreGateway twin and replaces gold.store_health; returns the number of rows written.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        using var connection = _lake.Connect();
        var stores = await ReadStoresByDeviceAsync(_lake, connection, cancellationToken).ConfigureAwait(false);
        var rows = await ObserveAsync(_client, stores, _lake.TimeProvider.GetUtcNow(), _staleAfter, cancellationToken).ConfigureAwait(false);
        rows = await WithQuarantineCountsAsync(_lake, connection, rows, cancellationToken).ConfigureAwait(false);
        var select = new StringBuilder();
        foreach (var row in rows)
        {
            select.Append(select.Length == 0 ? string.Empty : " UNION ALL ").Append(RowSql(row));
        }
        if (select.Length == 0)
        {
            // an empty fleet still overwrites: a table that keeps removed stores would report them as alive
            select.Append(RowSql(null)).Append(" WHERE false");
        }
        var table = _lake.Table(LakeTables.StoreHealth);
        var snapshot = await table.TryLoadAsync(cancellationToken).ConfigureAwait(false);
        await table.WriteAsync(connection, snapshot, select.ToString(), LakeWriteMode.Replace, null, [], null, "WRITE", cancellationToken).ConfigureAwait(false);
        LogWritten(_logger, rows.Count, rows.Count(r => r.Stale));
        return rows.Count;
    }

    /// <summary>Queries every StoreGateway module twin (following continuations) and evaluates each; ordered by device id.</summary>
    public static async Task<IReadOnlyList<StoreHealthRow>> ObserveAsync(
        IotHubServiceClient client, IReadOnlyDictionary<string, int> storesByDevice, DateTimeOffset now, TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var rows = new List<StoreHealthRow>();
        await foreach (var twin in client.QueryTwinsAsync(TwinQuery, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add(StoreHealthRow.FromTwin(twin, storesByDevice, now, staleAfter));
        }
        rows.Sort((a, b) => string.CompareOrdinal(a.DeviceId, b.DeviceId));
        return rows;
    }

    /// <summary>
    /// The rows with what silver.quarantine holds per module (all reasons, and seq_conflict), so a drop
    /// the cloud made is visible next to the gateway's own counters; unchanged when there is no quarantine table.
    /// </summary>
    public static async Task<IReadOnlyList<StoreHealthRow>> WithQuarantineCountsAsync(LakeContext lake, DuckDBConnection connection, IReadOnlyList<StoreHealthRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lake);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(rows);
        var table = lake.Table(LakeTables.Quarantine);
        var snapshot = await table.TryLoadAsync(cancellationToken).ConfigureAwait(false);
        if (snapshot is null)
        {
            return rows;
        }
        var sql = await table.SelectSqlAsync(snapshot.Files, cancellationToken).ConfigureAwait(false);
        var counts = new Dictionary<(string, string), (long All, long Conflicts)>();
        using (var result = connection.Query($"SELECT device_id, module_id, count(*), count(*) FILTER (WHERE reason = {DuckDbSql.Literal(QuarantineReasons.SeqConflict)}) "
            + $"FROM ({sql}) WHERE device_id IS NOT NULL AND module_id IS NOT NULL GROUP BY device_id, module_id"))
        {
            while (result.Read())
            {
                counts[(result.GetString(0), result.GetString(1))] = (result.GetInt64(2), result.GetInt64(3));
            }
        }
        return [.. rows.Select(r => counts.TryGetValue((r.DeviceId, r.ModuleId), out var c)
            ? r with { Quarantined = c.All, SeqConflicts = c.Conflicts }
            : r with { Quarantined = 0, SeqConflicts = 0 })];
    }

    /// <summary>device_id → store_id from reference.store; empty when the table does not exist yet.</summary>
    public static async Task<Dictionary<string, int>> ReadStoresByDeviceAsync(LakeContext lake, DuckDBConnection connection, CancellationToken cancellationToken) =>
        await ReferenceLoader.ReadStoresByDeviceAsync(lake, connection, cancellationToken).ConfigureAwait(false) ?? new(StringComparer.Ordinal);

    /// <summary>The rows of gold.store_health as the last monitor pass wrote them; null when the table does not exist.</summary>
    public static async Task<IReadOnlyList<StoreHealthRow>?> ReadTableAsync(LakeContext lake, DuckDBConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lake);
        ArgumentNullException.ThrowIfNull(connection);
        var table = lake.Table(LakeTables.StoreHealth);
        var snapshot = await table.TryLoadAsync(cancellationToken).ConfigureAwait(false);
        if (snapshot is null)
        {
            return null;
        }
        var sql = await table.SelectSqlAsync(snapshot.Files, cancellationToken).ConfigureAwait(false);
        using var result = connection.Query($"""
            SELECT device_id, module_id, store_id, status, version, last_event_at, last_sent_at,
              buffered_batches, oldest_unsent_age_seconds, rejected, dropped, reference_data_version, reference_data_error,
              config_error, observed_at, stale, quarantined, seq_conflicts
            FROM ({sql}) ORDER BY device_id, module_id
            """);
        var rows = new List<StoreHealthRow>();
        while (result.Read())
        {
            rows.Add(new StoreHealthRow(
                result.GetString(0), result.GetString(1), NullableInt(result, 2), NullableString(result, 3), NullableString(result, 4),
                NullableTime(result, 5), NullableTime(result, 6), NullableLong(result, 7), NullableLong(result, 8), NullableLong(result, 9),
                NullableLong(result, 10), NullableString(result, 11), NullableString(result, 12), NullableString(result, 13),
                NullableTime(result, 14) ?? DateTimeOffset.UnixEpoch, result.GetBoolean(15))
            {
                Quarantined = NullableLong(result, 16),
                SeqConflicts = NullableLong(result, 17),
            });
        }
        return rows;
    }

    private static string? NullableString(DuckDBDataReader result, int column) => result.IsDBNull(column) ? null : result.GetString(column);

    private static int? NullableInt(DuckDBDataReader result, int column) => result.IsDBNull(column) ? null : result.GetInt32(column);

    private static long? NullableLong(DuckDBDataReader result, int column) => result.IsDBNull(column) ? null : result.GetInt64(column);

    private static DateTimeOffset? NullableTime(DuckDBDataReader result, int column) => result.IsDBNull(column) ? null : result.GetFieldValue<DateTimeOffset>(column);

    private static string RowSql(StoreHealthRow? row)
    {
        return "SELECT "
            + Literal(row?.DeviceId ?? string.Empty) + " AS device_id, "
            + Literal(row?.ModuleId ?? string.Empty) + " AS module_id, "
            + (row?.StoreId is { } storeId ? storeId.ToString(CultureInfo.InvariantCulture) : "CAST(NULL AS INTEGER)") + " AS store_id, "
            + Literal(row?.Status) + " AS status, "
            + Literal(row?.Version) + " AS version, "
            + Timestamp(row?.LastEventAt) + " AS last_event_at, "
            + Timestamp(row?.LastSentAt) + " AS last_sent_at, "
            + Number(row?.BufferedBatches) + " AS buffered_batches, "
            + Number(row?.OldestUnsentAgeSeconds) + " AS oldest_unsent_age_seconds, "
            + Number(row?.Rejected) + " AS rejected, "
            + Number(row?.Dropped) + " AS dropped, "
            + Literal(row?.ReferenceDataVersion) + " AS reference_data_version, "
            + Literal(row?.ReferenceDataError) + " AS reference_data_error, "
            + Literal(row?.ConfigError) + " AS config_error, "
            + Timestamp(row?.ObservedAt ?? DateTimeOffset.UnixEpoch) + " AS observed_at, "
            + (row is null || row.Stale ? "true" : "false") + " AS stale, "
            + Number(row?.Quarantined) + " AS quarantined, "
            + Number(row?.SeqConflicts) + " AS seq_conflicts";
    }

    private static string Number(long? value) => value is null ? "CAST(NULL AS BIGINT)" : value.Value.ToString(CultureInfo.InvariantCulture);

    private static string Literal(string? value) => value is null ? "CAST(NULL AS VARCHAR)" : DuckDbSql.Literal(value);

    private static string Timestamp(DateTimeOffset? value) => value is null
        ? "CAST(NULL AS TIMESTAMPTZ)"
        : "CAST(" + DuckDbSql.Literal(value.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00") + " AS TIMESTAMPTZ)";

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote gold.store_health: {Modules} StoreGateway twins, {Stale} stale")]
    private static partial void LogWritten(ILogger logger, int modules, int stale);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store health not refreshed (the next pass retries): {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);
}
