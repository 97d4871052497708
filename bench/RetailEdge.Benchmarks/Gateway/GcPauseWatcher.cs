using System.Diagnostics;

namespace RetailEdge.Benchmarks.Gateway;

/// <summary>
/// Every garbage collection of a run with its pause, generation and promoted bytes, read from
/// <see cref="GC.GetGCMemoryInfo(GCKind)"/> every millisecond on a thread of its own (a collection every
/// ≈ 50 ms at 5,000 events/s, so almost none is missed): which kind of collection sets the tail.
/// </summary>
internal sealed class GcPauseWatcher : IDisposable
{
    private readonly List<Collection> _collections = [];
    private readonly Thread _thread;
    private readonly long _started = Stopwatch.GetTimestamp();
    private volatile bool _stop;

    public GcPauseWatcher()
    {
        _thread = new Thread(Watch) { IsBackground = true, Name = "gc-pause-watcher", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    public sealed record Collection(double AtSeconds, long Index, int Generation, double PauseMs, double PromotedMb, bool Compacted, bool Concurrent, double HeapMb);

    /// <summary>Stops watching; the collections seen, in order.</summary>
    public IReadOnlyList<Collection> Stop()
    {
        _stop = true;
        _thread.Join();
        return _collections;
    }

    public void Dispose()
    {
        if (!_stop)
        {
            Stop();
        }
    }

    private void Watch()
    {
        long last = GC.GetGCMemoryInfo(GCKind.Any).Index;
        while (!_stop)
        {
            var info = GC.GetGCMemoryInfo(GCKind.Any);
            if (info.Index != last)
            {
                last = info.Index;
                var pause = info.PauseDurations.Length > 0 ? info.PauseDurations[0].TotalMilliseconds + (info.PauseDurations.Length > 1 ? info.PauseDurations[1].TotalMilliseconds : 0) : 0;
                _collections.Add(new Collection(Stopwatch.GetElapsedTime(_started).TotalSeconds, info.Index, info.Generation, pause,
                    info.PromotedBytes / 1048576.0, info.Compacted, info.Concurrent, info.HeapSizeBytes / 1048576.0));
            }
            Thread.Sleep(1);
        }
    }
}
