using Azure;
using Azure.Core;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;
using Microsoft.Extensions.Logging;
using RetailEdge.Lakehouse;

namespace RetailEdge.EventHubsSource;

/// <summary>
/// Reads IoT Hub's built-in Event Hubs endpoint into bronze.telemetry, exactly once, as one of
/// any number of instances sharing the partitions (Azure.Messaging.EventHubs'
/// PluggableCheckpointStoreEventProcessor: ownership claims in the <see cref="BlobCheckpointStore"/>,
/// load balancing, takeover of a stopped instance's partitions after the ownership expires).
/// <code>
///   partition reader ─▶ MicroBatcher (size/time bound) ─▶ StreamLander: one bronze commit + txn per partition
///          ▲                                                     │
///          └──────── checkpoint (offset, sequence number) ◀──────┘  after the commit only
/// </code>
/// Bronze, not the checkpoint, is the truth: a partition starts right after the highest sequence
/// number bronze holds for it, and the lander skips anything at or below it, so a crash between
/// commit and checkpoint, or a hand-over where two instances briefly read one partition, lands
/// nothing twice. A failed commit is retried with back-off until it succeeds or the partition is
/// lost — the reader never moves past events that are not in bronze.
/// </summary>
public sealed partial class BronzeEventProcessor : PluggableCheckpointStoreEventProcessor<EventProcessorPartition>, IAsyncDisposable
{
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];

    private readonly StreamLander _lander;
    private readonly MicroBatcher _batcher;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>With a connection string (shared access policy; never logged).</summary>
    public BronzeEventProcessor(CheckpointStore checkpointStore, EventHubsSourceOptions options, string connectionString, LakeContext lake, ILoggerFactory loggerFactory)
        : base(checkpointStore, Validated(options).MaxBatchEvents, options.ConsumerGroup, connectionString, options.EventHubName!, ProcessorOptions(options))
    {
        (_lander, _batcher, _timeProvider, _logger) = Create(this, options, lake, loggerFactory);
    }

    /// <summary>With Azure.Identity (the identity needs the "Azure Event Hubs Data Receiver" role).</summary>
    public BronzeEventProcessor(CheckpointStore checkpointStore, EventHubsSourceOptions options, TokenCredential credential, LakeContext lake, ILoggerFactory loggerFactory)
        : base(checkpointStore, Validated(options).MaxBatchEvents, options.ConsumerGroup, options.FullyQualifiedNamespace!, options.EventHubName!, credential, ProcessorOptions(options))
    {
        (_lander, _batcher, _timeProvider, _logger) = Create(this, options, lake, loggerFactory);
    }

    /// <summary>Raised after each bronze commit (the host refines and builds gold then).</summary>
    public event Action<StreamLandResult>? Landed;

    /// <summary>The txn appId prefix of this hub and consumer group in bronze.telemetry.</summary>
    public string StreamId => StreamIdOf(EventHubName, ConsumerGroup);

    public static string StreamIdOf(string eventHubName, string consumerGroup) => $"eventhubs/{eventHubName}/{consumerGroup}";

    protected override async Task OnProcessingEventBatchAsync(IEnumerable<EventData> events, EventProcessorPartition partition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(partition);
        var batch = events.ToList();
        if (batch.Count == 0)
        {
            return; // the read waited its maximum time without events
        }
        var streamed = batch.Select(e => EventMapper.ToStreamedEvent(e, partition.PartitionId)).ToList();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _batcher.SubmitAsync(streamed, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // never move past events that are not in bronze: the same events again until they land or the partition is lost
                LogLandFailed(_logger, partition.PartitionId, attempt + 1, e);
                await Task.Delay(RetryDelays[Math.Min(attempt, RetryDelays.Length - 1)], _timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        try
        {
            await UpdateCheckpointAsync(partition.PartitionId, CheckpointPosition.FromEvent(batch[^1]), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e)
        {
            // bronze holds the events: a checkpoint that lags only makes a restart skip them again
            LogCheckpointFailed(_logger, partition.PartitionId, e.Status, e.ErrorCode);
        }
    }

    /// <summary>Starts after what bronze holds for the partition; the stored checkpoint only when bronze holds none of it.</summary>
    protected override async Task<EventProcessorCheckpoint?> GetCheckpointAsync(string partitionId, CancellationToken cancellationToken)
    {
        var checkpoint = await base.GetCheckpointAsync(partitionId, cancellationToken).ConfigureAwait(false);
        if (await _lander.LandedThroughAsync(partitionId, cancellationToken).ConfigureAwait(false) is not { } landedThrough)
        {
            return checkpoint;
        }
        return new EventProcessorCheckpoint
        {
            FullyQualifiedNamespace = FullyQualifiedNamespace,
            EventHubName = EventHubName,
            ConsumerGroup = ConsumerGroup,
            PartitionId = partitionId,
            ClientIdentifier = Identifier,
            LastModified = checkpoint?.LastModified ?? _timeProvider.GetUtcNow(),
            StartingPosition = EventPosition.FromSequenceNumber(landedThrough, isInclusive: false),
        };
    }

    protected override Task OnProcessingErrorAsync(Exception exception, EventProcessorPartition? partition, string operationDescription, CancellationToken cancellationToken)
    {
        LogProcessingError(_logger, partition?.PartitionId ?? "(none)", operationDescription, exception);
        return Task.CompletedTask;
    }

    protected override Task OnInitializingPartitionAsync(EventProcessorPartition partition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partition);
        LogPartitionClaimed(_logger, partition.PartitionId, Identifier);
        return Task.CompletedTask;
    }

    protected override Task OnPartitionProcessingStoppedAsync(EventProcessorPartition partition, ProcessingStoppedReason reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partition);
        LogPartitionReleased(_logger, partition.PartitionId, reason.ToString());
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _batcher.DisposeAsync().ConfigureAwait(false);
    }

    private async Task LandAsync(IReadOnlyList<StreamedEvent> events, CancellationToken cancellationToken)
    {
        var result = await _lander.LandAsync(events, cancellationToken).ConfigureAwait(false);
        Landed?.Invoke(result);
    }

    private static (StreamLander, MicroBatcher, TimeProvider, ILogger) Create(BronzeEventProcessor processor, EventHubsSourceOptions options, LakeContext lake, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(lake);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var lander = new StreamLander(lake, processor.StreamId, "eventhubs/" + processor.EventHubName, loggerFactory.CreateLogger<StreamLander>());
        var batcher = new MicroBatcher(processor.LandAsync, options.MaxBatchEvents, options.MaxBatchDelay, lake.TimeProvider);
        return (lander, batcher, lake.TimeProvider, loggerFactory.CreateLogger<BronzeEventProcessor>());
    }

    private static EventHubsSourceOptions Validated(EventHubsSourceOptions options) =>
        (options ?? throw new ArgumentNullException(nameof(options))).Validate();

    private static EventProcessorOptions ProcessorOptions(EventHubsSourceOptions options) => new()
    {
        // a read returns what is there after at most this long, so a quiet partition still lets its micro-batch close
        MaximumWaitTime = options.MaxBatchDelay,
        LoadBalancingUpdateInterval = options.LoadBalancingInterval,
        PartitionOwnershipExpirationInterval = options.OwnershipExpiration,
        Identifier = options.Identifier,
        DefaultStartingPosition = EventPosition.Earliest,
        PrefetchCount = Math.Max(300, options.MaxBatchEvents * 2),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Landing partition {Partition}'s events failed (attempt {Attempt}); retrying the same events")]
    private static partial void LogLandFailed(ILogger logger, string partition, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint of partition {Partition} not written ({Status} {Code}); bronze holds its events, a restart skips them")]
    private static partial void LogCheckpointFailed(ILogger logger, string partition, int status, string? code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event Hubs processing error on partition {Partition} during {Operation}")]
    private static partial void LogProcessingError(ILogger logger, string partition, string operation, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition} claimed by {Identifier}")]
    private static partial void LogPartitionClaimed(ILogger logger, string partition, string identifier);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition} released ({Reason})")]
    private static partial void LogPartitionReleased(ILogger logger, string partition, string reason);
}
