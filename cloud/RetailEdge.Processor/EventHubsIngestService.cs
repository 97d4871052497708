using Azure.Messaging.EventHubs;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;

namespace RetailEdge.Processor;

/// <summary>
/// RETAILEDGE_SOURCE=eventhubs: runs the <see cref="BronzeEventProcessor"/> (its partitions shared
/// with every other instance on the same checkpoint store and consumer group) and pulses the
/// pipeline loop after each bronze commit; the loop then refines and builds gold.
/// </summary>
public sealed partial class EventHubsIngestService : BackgroundService
{
    private readonly ProcessorOptions _options;
    private readonly AzureAccess _access;
    private readonly LakeContext _lake;
    private readonly PipelineTrigger _trigger;
    private readonly ProcessorMetrics _metrics;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;

    public EventHubsIngestService(ProcessorOptions options, AzureAccess access, LakeContext lake, PipelineTrigger trigger, ProcessorMetrics metrics, ILoggerFactory loggerFactory)
    {
        _options = options;
        _access = access;
        _lake = lake;
        _trigger = trigger;
        _metrics = metrics;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<EventHubsIngestService>();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var processor = EventHubsAccess.OpenProcessor(_options.EventHubs!, _access.Get(ProcessorOptions.EventHubsConnectionStringVariable), _options.CheckpointStore!,
            _access, _lake, _loggerFactory);
        await using (processor.ConfigureAwait(false))
        {
            processor.Landed += landed =>
            {
                _metrics.RecordStreamLanding(landed);
                _trigger.Pulse();
            };
            LogStarting(_logger, processor.EventHubName, processor.ConsumerGroup, processor.Identifier, _options.CheckpointStore!.ToString());
            try
            {
                await processor.StartProcessingAsync(stoppingToken).ConfigureAwait(false);
                await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // stopping
            }
            catch (EventHubsException e)
            {
                LogFailed(_logger, e);
                throw;
            }
            finally
            {
                // releases this instance's partitions (ownership) so another one takes them over at once
                using var grace = new CancellationTokenSource(_options.ShutdownGrace);
                try
                {
                    await processor.StopProcessingAsync(grace.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    LogStopTimedOut(_logger);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading event hub {EventHub}, consumer group {ConsumerGroup}, as {Identifier}; checkpoints in {CheckpointStore}")]
    private static partial void LogStarting(ILogger logger, string eventHub, string consumerGroup, string identifier, string checkpointStore);

    [LoggerMessage(Level = LogLevel.Error, Message = "The Event Hubs source failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Event Hubs source did not stop within the shutdown grace; its ownership expires on its own")]
    private static partial void LogStopTimedOut(ILogger logger);
}
