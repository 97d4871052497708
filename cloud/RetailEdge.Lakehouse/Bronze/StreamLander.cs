using DuckDB.NET.Data;
using Microsoft.Extensions.Logging;
using RetailEdge.Delta;
using RetailEdge.Delta.Actions;
using RetailEdge.Delta.Storage;

namespace RetailEdge.Lakehouse;

/// <summary>
/// Lands events of a partitioned stream into bronze.telemetry exactly once (ARCHITECTURE.md §9):
/// each commit carries, per partition it holds events of, a txn action
/// (<c>{stream}/{partition}</c>, version = the highest sequence number landed), and events at or
/// below a partition's recorded version are skipped before writing. So a replay after a crash,
/// a checkpoint that lagged behind bronze, or two instances that briefly both read a partition
/// during a hand-over land nothing twice: the loser of a commit race re-reads bronze, drops what
/// the winner landed and commits the rest (DELTA.md "txn"). Rows keep partition, offset and
/// sequence number; source_file is <c>{source}/{partition}</c> and source_line the sequence
/// number, so silver's lineage points at the event.
/// </summary>
public sealed partial class StreamLander
{
    private const int MaxCommitAttempts = 50;

    private readonly LakeContext _lake;
    private readonly string _stream;
    private readonly string _source;
    private readonly ILogger _logger;

    /// <param name="stream">the txn appId prefix, e.g. eventhubs/{hub}/{consumer group}</param>
    /// <param name="source">the source_file prefix of landed rows, e.g. eventhubs/{hub}</param>
    public StreamLander(LakeContext lake, string stream, string source, ILogger<StreamLander> logger)
    {
        _lake = lake ?? throw new ArgumentNullException(nameof(lake));
        ArgumentException.ThrowIfNullOrWhiteSpace(stream);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        _stream = stream;
        _source = source;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>The txn appId under which a partition's progress is recorded in bronze.telemetry.</summary>
    public string AppId(string partitionId) => _stream + "/" + ValidPartition(partitionId);

    /// <summary>The highest sequence number of the partition that bronze holds, or null when it holds none.</summary>
    public async Task<long?> LandedThroughAsync(string partitionId, CancellationToken cancellationToken)
    {
        var snapshot = await _lake.Table(LakeTables.BronzeTelemetry).TryLoadAsync(cancellationToken).ConfigureAwait(false);
        return snapshot?.TransactionVersion(AppId(partitionId));
    }

    /// <summary>Lands the events bronze does not hold yet, in one commit (retried on a lost race).</summary>
    public async Task<StreamLandResult> LandAsync(IReadOnlyList<StreamedEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var bronze = _lake.Table(LakeTables.BronzeTelemetry);
        for (var attempt = 1; ; attempt++)
        {
            var snapshot = await bronze.TryLoadAsync(cancellationToken).ConfigureAwait(false);
            var landedThrough = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var partition in events.Select(e => e.PartitionId).Distinct(StringComparer.Ordinal))
            {
                landedThrough[partition] = snapshot?.TransactionVersion(AppId(partition)) ?? -1;
            }
            var fresh = events
                .Where(e => e.SequenceNumber > landedThrough[e.PartitionId])
                .DistinctBy(e => (e.PartitionId, e.SequenceNumber))
                .ToList();
            if (fresh.Count == 0)
            {
                return new StreamLandResult(0, events.Count, null, null);
            }
            try
            {
                var (version, lag) = await WriteAsync(bronze, snapshot, fresh, cancellationToken).ConfigureAwait(false);
                if (version is null)
                {
                    continue; // another instance committed these partitions' positions first: filter again against its commit
                }
                LogLanded(_logger, fresh.Count, events.Count - fresh.Count, version.Value);
                return new StreamLandResult(fresh.Count, events.Count - fresh.Count, version, lag);
            }
            catch (DeltaConflictException e) when (attempt < MaxCommitAttempts)
            {
                // the winner may hold some of these events (same partition) or changed the table: re-read and retry
                LogRaceLost(_logger, attempt, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(10, 50 * Math.Min(attempt, 10))), _lake.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<(long? Version, TimeSpan? Lag)> WriteAsync(LakeTable bronze, DeltaSnapshot? snapshot, List<StreamedEvent> fresh, CancellationToken cancellationToken)
    {
        var now = _lake.TimeProvider.GetUtcNow();
        var ingestDate = DateOnly.FromDateTime(now.UtcDateTime);
        var table = "stream_" + Guid.NewGuid().ToString("N");
        using var connection = _lake.Connect();
        connection.Execute($"CREATE TABLE {table} ({LakeTables.BronzeTelemetry.DuckDbColumnList()})");
        try
        {
            using (var appender = connection.CreateAppender(table))
            {
                foreach (var e in fresh)
                {
                    // an event not sent through IoT Hub has no device: landed raw with the reason the refiner quarantines it under
                    var properties = e.DeviceId is null
                        ? new RoutedLineFailure(QuarantineReasons.MissingDevice, "event has no iothub-connection-device-id annotation", e.Body.Length, null).ToJson()
                        : e.Properties;
                    appender.CreateRow().AppendValue(e.EnqueuedTime).AppendValue(now).AppendValue(e.DeviceId).AppendValue(e.ModuleId)
                        .AppendValue(e.MessageId).AppendValue(e.ContentType).AppendValue(e.ContentEncoding).AppendValue(properties)
                        .AppendValue(e.Body).AppendValue(_source + "/" + e.PartitionId).AppendValue(e.SequenceNumber).AppendValue(ingestDate)
                        .AppendValue(e.PartitionId).AppendValue(e.Offset).AppendValue(e.SequenceNumber)
                        .EndRow();
                }
            }
            var txns = fresh.GroupBy(e => e.PartitionId, StringComparer.Ordinal)
                .Select(g => new TxnAction(AppId(g.Key), g.Max(e => e.SequenceNumber), now.ToUnixTimeMilliseconds()))
                .ToList();
            var version = await bronze.WriteAsync(connection, snapshot, $"SELECT * FROM {table}", LakeWriteMode.Append, null, txns, null, "STREAMING UPDATE",
                cancellationToken).ConfigureAwait(false);
            return (version, now - fresh.Min(e => e.EnqueuedTime));
        }
        finally
        {
            connection.Execute($"DROP TABLE IF EXISTS {table}");
        }
    }

    // partition ids come from the service and end up in txn appIds and lineage: short tokens only
    private static string ValidPartition(string partitionId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(partitionId);
        if (partitionId.Length > 64 || !partitionId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"'{partitionId}' is not a partition id (letters, digits, '-' and '_', at most 64)", nameof(partitionId));
        }
        return partitionId;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Landed {Events} streamed events into bronze.telemetry version {Version} ({Skipped} already landed)")]
    private static partial void LogLanded(ILogger logger, int events, int skipped, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bronze commit race lost (attempt {Attempt}): {Reason}; re-reading bronze")]
    private static partial void LogRaceLost(ILogger logger, int attempt, string reason);
}
