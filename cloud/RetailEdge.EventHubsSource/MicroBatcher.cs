using RetailEdge.Lakehouse;

namespace RetailEdge.EventHubsSource;

/// <summary>
/// Gathers the events that the partitions' readers hand in and lands them together: a batch is
/// landed when <c>maxEvents</c> are waiting or the first of them has waited <c>maxDelay</c>.
/// <see cref="SubmitAsync"/> completes only when its events are committed (or the commit failed),
/// so a reader checkpoints nothing that bronze does not hold and reads no further meanwhile
/// (the bound on memory: at most one read per owned partition waits).
/// </summary>
internal sealed class MicroBatcher : IAsyncDisposable
{
    private readonly Func<IReadOnlyList<StreamedEvent>, CancellationToken, Task> _land;
    private readonly int _maxEvents;
    private readonly TimeSpan _maxDelay;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private List<(IReadOnlyList<StreamedEvent> Events, TaskCompletionSource Landed)> _pending = [];
    private int _count;
    private DateTimeOffset _firstAt;
    private TaskCompletionSource _full = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MicroBatcher(Func<IReadOnlyList<StreamedEvent>, CancellationToken, Task> land, int maxEvents, TimeSpan maxDelay, TimeProvider timeProvider)
    {
        _land = land;
        _maxEvents = maxEvents;
        _maxDelay = maxDelay;
        _timeProvider = timeProvider;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Completes when the events are in bronze; throws what the commit threw.</summary>
    public Task SubmitAsync(IReadOnlyList<StreamedEvent> events, CancellationToken cancellationToken)
    {
        var landed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            if (_pending.Count == 0)
            {
                _firstAt = _timeProvider.GetUtcNow();
                _wake.Release();
            }
            _pending.Add((events, landed));
            _count += events.Count;
            if (_count >= _maxEvents)
            {
                _full.TrySetResult();
            }
        }
        return landed.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(stop).ConfigureAwait(false);
                Task full;
                DateTimeOffset deadline;
                lock (_gate)
                {
                    full = _full.Task;
                    deadline = _firstAt + _maxDelay;
                }
                var wait = deadline - _timeProvider.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.WhenAny(full, Task.Delay(wait, _timeProvider, stop)).ConfigureAwait(false);
                }
                List<(IReadOnlyList<StreamedEvent> Events, TaskCompletionSource Landed)> batch;
                lock (_gate)
                {
                    batch = _pending;
                    _pending = [];
                    _count = 0;
                    _full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
                if (batch.Count == 0)
                {
                    continue;
                }
                try
                {
                    await _land([.. batch.SelectMany(b => b.Events)], stop).ConfigureAwait(false);
                    batch.ForEach(b => b.Landed.TrySetResult());
                }
                catch (Exception e)
                {
                    // each reader sees the failure and hands its events in again: nothing is checkpointed that was not committed
                    batch.ForEach(b => _ = stop.IsCancellationRequested ? b.Landed.TrySetCanceled(stop) : b.Landed.TrySetException(e));
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
        }
        lock (_gate)
        {
            _pending.ForEach(b => b.Landed.TrySetCanceled(stop));
            _pending = [];
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _stop.Cancel();
        }
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _wake.Dispose();
    }
}
