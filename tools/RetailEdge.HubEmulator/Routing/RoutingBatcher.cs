using Microsoft.Extensions.Logging;

namespace RetailEdge.HubEmulator.Routing;

/// <summary>
/// Buffers routed records per partition and writes each partition's buffer as one file every
/// batch interval (and at stop). <see cref="Append"/> is the acceptance point: the record is
/// in the batch that the next flush writes; the returned task completes when that batch is
/// written, for callers that acknowledge only durable records. A failed write keeps the
/// records for the next attempt, in order.
/// </summary>
public sealed partial class RoutingBatcher : IAsyncDisposable
{
    private readonly RoutingOptions _options;
    private readonly IRoutingSink _sink;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Partition[] _partitions;
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private long _recordsWritten;
    private long _filesWritten;
    private long _writeFailures;

    public RoutingBatcher(RoutingOptions options, IRoutingSink sink, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _sink = sink;
        _timeProvider = timeProvider;
        _logger = logger;
        _partitions = Enumerable.Range(0, options.PartitionCount).Select(_ => new Partition()).ToArray();
    }

    public long RecordsWritten => Interlocked.Read(ref _recordsWritten);

    public long FilesWritten => Interlocked.Read(ref _filesWritten);

    public long WriteFailures => Interlocked.Read(ref _writeFailures);

    /// <summary>Records accepted and not yet written.</summary>
    public int Pending => _partitions.Sum(p => { lock (p) { return p.Records.Count; } });

    public void Start()
    {
        _loop ??= RunAsync(_stop.Token);
    }

    /// <summary>Accepts a record into its partition's open batch; the task completes when the batch is written.</summary>
    public Task Append(RoutedMessage message)
    {
        var line = RoutingRecordFormatter.Format(message);
        var partition = _partitions[RoutingPartitioner.PartitionOf(message.Source.DeviceId, _options.PartitionCount)];
        bool full;
        Task written;
        lock (partition)
        {
            if (partition.Records.Count == 0)
            {
                partition.BatchTime = message.EnqueuedTime;
            }
            partition.Records.Add(line);
            partition.Bytes += line.Length;
            written = partition.Written.Task;
            full = partition.Bytes >= _options.MaxBatchBytes;
        }
        if (full)
        {
            _ = FlushAsync(CancellationToken.None);
        }
        return written;
    }

    /// <summary>Writes every non-empty partition buffer now.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var i = 0; i < _partitions.Length; i++)
            {
                await FlushPartitionAsync(i, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <summary>Stops the interval loop and writes what is buffered (acknowledged records are not lost on a clean stop).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        if (Pending > 0)
        {
            LogRecordsLeft(_logger, Pending, _sink.Description);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        _stop.Dispose();
        _flushGate.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.BatchInterval, _timeProvider);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task FlushPartitionAsync(int index, CancellationToken cancellationToken)
    {
        var partition = _partitions[index];
        List<byte[]> records;
        TaskCompletionSource written;
        DateTimeOffset batchTime;
        lock (partition)
        {
            if (partition.Records.Count == 0)
            {
                return;
            }
            records = partition.Records;
            written = partition.Written;
            batchTime = partition.BatchTime;
            partition.Records = [];
            partition.Bytes = 0;
            partition.Written = NewCompletion();
        }
        var content = new byte[records.Sum(r => r.Length)];
        var offset = 0;
        foreach (var record in records)
        {
            record.CopyTo(content, offset);
            offset += record.Length;
        }
        var name = RoutingPartitioner.BlobName(_options.HubName, index, batchTime);
        try
        {
            var actual = await _sink.WriteNewAsync(name, content, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _recordsWritten, records.Count);
            Interlocked.Increment(ref _filesWritten);
            LogBatchWritten(_logger, actual, records.Count);
            written.TrySetResult();
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or UnauthorizedAccessException or InvalidOperationException or OperationCanceledException or Azure.RequestFailedException or AggregateException)
        {
            Interlocked.Increment(ref _writeFailures);
            LogBatchFailed(_logger, name, records.Count, ex.Message);
            lock (partition)
            {
                // put them back in front: order is kept and nothing acknowledged is dropped
                records.AddRange(partition.Records);
                partition.Records = records;
                partition.Bytes = records.Sum(r => r.Length);
                partition.BatchTime = batchTime;
                var newer = partition.Written;
                partition.Written = written;
                _ = written.Task.ContinueWith(_ => newer.TrySetResult(), TaskScheduler.Default);
            }
            if (ex is OperationCanceledException)
            {
                throw;
            }
        }
    }

    private static TaskCompletionSource NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Debug, Message = "routed batch {Name} written with {Count} records")]
    private static partial void LogBatchWritten(ILogger logger, string name, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "routed batch {Name} ({Count} records) not written, kept for the next attempt: {Reason}")]
    private static partial void LogBatchFailed(ILogger logger, string name, int count, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} routed records could not be written to {Sink} at stop")]
    private static partial void LogRecordsLeft(ILogger logger, int count, string sink);

    private sealed class Partition
    {
        public List<byte[]> Records { get; set; } = [];

        public long Bytes { get; set; }

        public DateTimeOffset BatchTime { get; set; }

        public TaskCompletionSource Written { get; set; } = NewCompletion();
    }
}
