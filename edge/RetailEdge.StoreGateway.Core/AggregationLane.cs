using System.Collections.Concurrent;

namespace RetailEdge.StoreGateway.Core;

/// <summary>
/// A thread of its own that runs the engine's aggregation work, one item at a time in the order
/// given. Not the thread pool: the writer waits for the previous item synchronously before handing
/// on the next, and a pool thread blocked on work queued behind the producers' own pool work is the
/// starvation that halved the ingest rate when this ran on the pool.
/// </summary>
internal sealed class AggregationLane : IDisposable
{
    private readonly BlockingCollection<(Action Work, TaskCompletionSource Done)> _queue = new();
    private readonly Thread _thread;

    public AggregationLane()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "gateway aggregation" };
        _thread.Start();
    }

    /// <summary>Queues <paramref name="work"/>; the task completes (or faults) when it has run.</summary>
    public Task Post(Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add((work, done));
        return done.Task;
    }

    /// <summary>Runs what is queued, then ends the thread.</summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join();
        _queue.Dispose();
    }

    private void Run()
    {
        foreach (var (work, done) in _queue.GetConsumingEnumerable())
        {
            try
            {
                work();
                done.TrySetResult();
            }
            catch (Exception e)
            {
                // Handed to the writer, which rebuilds the aggregator from the journal.
                done.TrySetException(e);
            }
        }
    }
}
