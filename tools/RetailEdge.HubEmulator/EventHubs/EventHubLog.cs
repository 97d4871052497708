using System.Globalization;
using Microsoft.Extensions.Logging;
using RetailEdge.HubEmulator.Routing;

namespace RetailEdge.HubEmulator.EventHubs;

/// <summary>
/// The built-in endpoint's event hub: one <see cref="PartitionLog"/> per partition under one
/// folder, each device's messages in the partition its id hashes to (the same stable hash as
/// routing, <see cref="RoutingPartitioner"/>), so a device's messages stay in order. Retention
/// runs on a timer. Created with the hub's creation time, which the $management READ reports.
/// </summary>
public sealed partial class EventHubLog : IAsyncDisposable
{
    private static readonly TimeSpan RetentionInterval = TimeSpan.FromSeconds(30);
    private readonly PartitionLog[] _partitions;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _retentionLoop;
    private long _appendFailures;

    private EventHubLog(string name, PartitionLog[] partitions, DateTimeOffset createdAt, TimeProvider timeProvider, ILogger logger)
    {
        Name = name;
        _partitions = partitions;
        CreatedAt = createdAt;
        _timeProvider = timeProvider;
        _logger = logger;
        PartitionIds = partitions.Select(p => p.PartitionId).ToArray();
    }

    /// <summary>The event hub name: the IoT hub's name, as the built-in endpoint's EntityPath.</summary>
    public string Name { get; }

    public DateTimeOffset CreatedAt { get; }

    public IReadOnlyList<string> PartitionIds { get; }

    /// <summary>Messages that could not be written to their partition (and so were refused).</summary>
    public long AppendFailures => Interlocked.Read(ref _appendFailures);

    public static EventHubLog Open(string name, string directory, int partitionCount, EventRetentionOptions retention, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        Directory.CreateDirectory(directory);
        var createdAt = Directory.GetCreationTimeUtc(directory);
        var partitions = new PartitionLog[partitionCount];
        for (var i = 0; i < partitionCount; i++)
        {
            var id = i.ToString(CultureInfo.InvariantCulture);
            partitions[i] = PartitionLog.Open(id, Path.Combine(directory, id), retention, logger);
        }
        var log = new EventHubLog(name, partitions, new DateTimeOffset(createdAt, TimeSpan.Zero), timeProvider, logger);
        log.ApplyRetention();
        return log;
    }

    public PartitionLog? Partition(string partitionId) =>
        int.TryParse(partitionId, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < _partitions.Length
            && _partitions[index].PartitionId == partitionId
            ? _partitions[index]
            : null;

    /// <summary>Appends a device-to-cloud message to its device's partition.</summary>
    /// <exception cref="IOException">the partition could not be written (counted in <see cref="AppendFailures"/>)</exception>
    public StoredEvent Append(RoutedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var partition = _partitions[RoutingPartitioner.PartitionOf(message.Source.DeviceId, _partitions.Length)];
        try
        {
            return partition.Append(message, _timeProvider.GetUtcNow());
        }
        catch (IOException ex)
        {
            Interlocked.Increment(ref _appendFailures);
            LogAppendFailed(_logger, partition.PartitionId, ex.Message);
            throw;
        }
    }

    public void Start()
    {
        _retentionLoop ??= RunRetentionAsync(_stop.Token);
    }

    public void ApplyRetention()
    {
        var now = _timeProvider.GetUtcNow();
        foreach (var partition in _partitions)
        {
            try
            {
                partition.ApplyRetention(now);
            }
            catch (IOException ex)
            {
                LogRetentionFailed(_logger, partition.PartitionId, ex.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_retentionLoop is not null)
        {
            try
            {
                await _retentionLoop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        foreach (var partition in _partitions)
        {
            partition.Dispose();
        }
        _stop.Dispose();
    }

    private async Task RunRetentionAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RetentionInterval, _timeProvider);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            ApplyRetention();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "partition {PartitionId}: a device-to-cloud message could not be written and was refused: {Reason}")]
    private static partial void LogAppendFailed(ILogger logger, string partitionId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "partition {PartitionId}: retention could not delete a segment, will retry: {Reason}")]
    private static partial void LogRetentionFailed(ILogger logger, string partitionId, string reason);
}
