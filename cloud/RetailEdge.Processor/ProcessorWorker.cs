using System.Diagnostics;
using DuckDB.NET.Data;
using RetailEdge.Lakehouse;

namespace RetailEdge.Processor;

/// <summary>
/// The one long-running loop: a lander → refiner → builder pass, then wait for the poll interval.
/// A stop request lets the pass in flight finish (up to the shutdown grace) so the process stops
/// between commits; every step is idempotent, so even a kill loses and doubles nothing.
/// </summary>
public sealed partial class ProcessorWorker : BackgroundService
{
    private readonly LakehousePipeline _pipeline;
    private readonly ProcessorOptions _options;
    private readonly ProcessorMetrics _metrics;
    private readonly ProcessorHealth _health;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<ProcessorWorker> _logger;

    private readonly PipelineTrigger? _trigger;

    /// <param name="trigger">pulsed by a streaming source after each bronze commit: a pass starts then rather than at the next poll</param>
    public ProcessorWorker(LakehousePipeline pipeline, ProcessorOptions options, ProcessorMetrics metrics, ProcessorHealth health,
        IHostApplicationLifetime lifetime, ILogger<ProcessorWorker> logger, PipelineTrigger? trigger = null)
    {
        _trigger = trigger;
        _pipeline = pipeline;
        _options = options;
        _metrics = metrics;
        _health = health;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>The process exit code: 0, or 1 when a `--once` run failed.</summary>
    public int ExitCode { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var work = new CancellationTokenSource();
        // stop between commits: the work token is cancelled only when the grace after a stop request runs out
        await using var registration = stoppingToken.Register(() => work.CancelAfter(_options.ShutdownGrace));
        // where the processor reads and writes and with which kind of credential (never the credential itself)
        LogStarting(_logger, _options.EventHubs is { } eventHubs ? $"event hub {eventHubs.EventHubName} ({eventHubs.ConsumerGroup})" : _options.SourceBlob?.ToString() ?? "folder " + _options.Source,
            _options.LakeBlob?.ToString() ?? "folder " + _options.Lake);
        while (!stoppingToken.IsCancellationRequested)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                var cycle = await _pipeline.RunCycleAsync(work.Token).ConfigureAwait(false);
                _metrics.Record(cycle, watch.Elapsed);
                _health.Succeeded();
                LogCycle(_logger, cycle.Land.Files, cycle.Land.Records, cycle.Refine.Batches, cycle.Refine.Duplicates, cycle.Refine.Quarantined,
                    cycle.Build?.Tables.Count ?? 0, watch.Elapsed.TotalMilliseconds, cycle.Land.Lag?.TotalSeconds);
                if (_options.Once && cycle.Idle)
                {
                    break;
                }
            }
            catch (OperationCanceledException) when (work.IsCancellationRequested)
            {
                break;
            }
            catch (RetailEdge.Delta.DeltaConflictException e) when (!_options.Once)
            {
                // several instances share a lake (the eventhubs source scales out): another one refined or built
                // the same range first; the next pass continues from its commit
                LogRaceLost(_logger, e.Message);
            }
            catch (Exception e) when (e is IOException or DuckDBException or RetailEdge.Delta.DeltaException or InvalidOperationException or UnauthorizedAccessException
                or Azure.RequestFailedException or AggregateException)
            {
                // Azure.Storage.Blobs: a failed response is a RequestFailedException (its message goes on with
                // headers and body, so health shows status and code); connection failures that outlast the
                // SDK's retries arrive as one AggregateException of the attempts
                _health.Failed(e is Azure.RequestFailedException storage ? $"storage: {storage.Status} {storage.ErrorCode}" : e.Message);
                LogCycleFailed(_logger, e);
                if (_options.Once)
                {
                    ExitCode = 1;
                    break;
                }
            }
            if (!_options.Once)
            {
                try
                {
                    if (_trigger is null)
                    {
                        await Task.Delay(_options.PollInterval, stoppingToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await _trigger.WaitAsync(_options.PollInterval, stoppingToken).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        if (_options.Once)
        {
            Environment.ExitCode = ExitCode;
            _lifetime.StopApplication();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Processor starting: source {Source}, lake {Lake}")]
    private static partial void LogStarting(ILogger logger, string source, string lake);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cycle: {Files} files / {Records} records landed, {Batches} batches refined, {Duplicates} duplicates, {Quarantined} quarantined, {GoldTables} gold tables refreshed in {ElapsedMs:F0} ms, lag {LagSeconds} s")]
    private static partial void LogCycle(ILogger logger, int files, long records, int batches, int duplicates, int quarantined, int goldTables, double elapsedMs, double? lagSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Another instance committed first ({Reason}); the next pass continues from its commit")]
    private static partial void LogRaceLost(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cycle failed; the next poll retries from the last commit")]
    private static partial void LogCycleFailed(ILogger logger, Exception exception);
}
