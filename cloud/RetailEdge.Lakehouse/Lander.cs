using DuckDB.NET.Data;
using RetailEdge.Delta.Storage;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RetailEdge.Delta;
using RetailEdge.Delta.Actions;

namespace RetailEdge.Lakehouse;

/// <summary>
/// Lands routed files into bronze.telemetry exactly once (ARCHITECTURE.md §9): the names of the
/// files landed are tags of the add actions of the same commit, and the commit carries a txn
/// (appId, previous + 1), so a crash before the commit lands nothing and a crash after it lands
/// nothing twice; two landers racing on the same txn version cannot both win (DELTA.md "txn").
/// </summary>
public sealed partial class Lander
{
    private readonly LakeContext _lake;
    private readonly ITelemetrySource _source;
    private readonly LanderOptions _options;
    private readonly ILogger _logger;

    public Lander(LakeContext lake, ITelemetrySource source, LanderOptions options, ILogger<Lander> logger)
    {
        _lake = lake ?? throw new ArgumentNullException(nameof(lake));
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Lands one commit's worth of new files; Files = 0 when nothing new was found.</summary>
    public async Task<LandResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var bronze = _lake.Table(LakeTables.BronzeTelemetry);
        var snapshot = await bronze.TryLoadAsync(cancellationToken).ConfigureAwait(false);
        var landed = await LandedFilesAsync(_lake, bronze, snapshot, cancellationToken).ConfigureAwait(false);
        var listed = await _source.ListAsync(cancellationToken).ConfigureAwait(false);
        var pending = listed.Where(f => !landed.Contains(f.Name)).ToList();
        if (pending.Count == 0)
        {
            return new LandResult(0, 0, 0, null, false, null);
        }
        var batch = new List<RoutedFile>();
        long bytes = 0;
        foreach (var file in pending)
        {
            if (batch.Count > 0 && (batch.Count >= _options.MaxFilesPerCommit || bytes + file.Length > _options.MaxBytesPerCommit))
            {
                break;
            }
            batch.Add(file);
            bytes += file.Length;
        }
        var now = _lake.TimeProvider.GetUtcNow();
        var table = "land_" + Guid.NewGuid().ToString("N");
        using var connection = _lake.Connect();
        connection.Execute($"CREATE TABLE {table} ({LakeTables.BronzeTelemetry.DuckDbColumnList()})");
        long records = 0, malformed = 0;
        DateTimeOffset? oldest = null;
        try
        {
            using (var appender = connection.CreateAppender(table))
            {
                foreach (var file in batch)
                {
                    var content = await _source.ReadAsync(file, cancellationToken).ConfigureAwait(false);
                    foreach (var record in RoutedRecordParser.Parse(content))
                    {
                        if (record.Error is not null)
                        {
                            malformed++;
                            LogMalformedLine(_logger, file.Name, record.Line, record.Error);
                        }
                        if (record.EnqueuedTime is { } enqueued && (oldest is null || enqueued < oldest))
                        {
                            oldest = enqueued;
                        }
                        appender.CreateRow().AppendValue(record.EnqueuedTime).AppendValue(now).AppendValue(record.DeviceId).AppendValue(record.ModuleId)
                            .AppendValue(record.MessageId).AppendValue(record.ContentType).AppendValue(record.ContentEncoding).AppendValue(record.Properties)
                            .AppendValue(record.Body).AppendValue(file.Name).AppendValue(record.Line).AppendValue(DateOnly.FromDateTime(now.UtcDateTime))
                            .EndRow();
                        records++;
                    }
                }
            }
            var previous = snapshot?.TransactionVersion(_options.AppId) ?? 0;
            var tags = new Dictionary<string, string?> { [LakeTable.SourceFilesTag] = JsonSerializer.Serialize(batch.Select(f => f.Name).ToArray(), LakehouseJsonContext.Default.StringArray) };
            var version = await bronze.WriteAsync(connection, snapshot, $"SELECT * FROM {table}", LakeWriteMode.AppendKeepEmpty, null,
                [new TxnAction(_options.AppId, previous + 1, now.ToUnixTimeMilliseconds())], tags, "WRITE", cancellationToken,
                emptyPartitionValue: LakeTable.PartitionValue(DateOnly.FromDateTime(now.UtcDateTime))).ConfigureAwait(false);
            LogLanded(_logger, batch.Count, records, malformed, version);
            return new LandResult(batch.Count, records, malformed, version, pending.Count > batch.Count, oldest is null ? null : now - oldest.Value);
        }
        finally
        {
            connection.Execute($"DROP TABLE IF EXISTS {table}");
        }
    }

    /// <summary>
    /// Every source file already in bronze: from the add tags, and for files without the tag
    /// (rewritten by compaction or written by another engine) from their source_file column.
    /// </summary>
    public static async Task<HashSet<string>> LandedFilesAsync(LakeContext lake, LakeTable bronze, DeltaSnapshot? snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lake);
        ArgumentNullException.ThrowIfNull(bronze);
        var landed = new HashSet<string>(StringComparer.Ordinal);
        if (snapshot is null)
        {
            return landed;
        }
        var untagged = new List<AddAction>();
        foreach (var file in snapshot.Files)
        {
            if (file.Tags?.GetValueOrDefault(LakeTable.SourceFilesTag) is { } tag
                && JsonSerializer.Deserialize(tag, LakehouseJsonContext.Default.StringArray) is { } names)
            {
                landed.UnionWith(names);
            }
            else
            {
                untagged.Add(file);
            }
        }
        if (untagged.Count > 0)
        {
            using var connection = lake.Connect();
            var sql = await bronze.SelectSqlAsync(untagged, cancellationToken).ConfigureAwait(false);
            using var result = connection.Query($"SELECT DISTINCT source_file FROM ({sql})");
            while (result.Read())
            {
                landed.Add(result.GetString(0));
            }
        }
        return landed;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Malformed routed record {File}:{Line}: {Error}; landed raw, will be quarantined")]
    private static partial void LogMalformedLine(ILogger logger, string file, long line, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Landed {Files} routed files, {Records} records ({Malformed} malformed) into bronze.telemetry version {Version}")]
    private static partial void LogLanded(ILogger logger, int files, long records, long malformed, long? version);
}
