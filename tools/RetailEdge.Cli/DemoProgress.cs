using System.Diagnostics;

namespace RetailEdge.Cli;

/// <summary>The stages of a demo run, in the order the data flows through them.</summary>
public enum DemoStage
{
    Simulated,
    Posted,
    SentToHub,
    Routed,
    Bronze,
    Silver,
    Gold,
}

/// <summary>One store's line in the live view: what was posted to its gateway and what the gateway last said.</summary>
public sealed record DemoStoreProgress(string Store, long Posted, long BufferedBatches, long Rejected);

/// <summary>What a view shows at one moment.</summary>
public sealed record DemoProgressSnapshot(
    TimeSpan Elapsed,
    IReadOnlyList<string> Steps,
    IReadOnlyList<(DemoStage Stage, string Label, long Count)> Stages,
    double PostedPerSecond,
    IReadOnlyList<DemoStoreProgress> Stores);

/// <summary>
/// The demo's progress, written by the runner and read by a view (a live table on a terminal, plain lines
/// otherwise). Counters the runner does not drive itself — the hub's — are read through watches at snapshot time.
/// </summary>
public sealed class DemoProgress
{
    private static readonly (DemoStage Stage, string Label)[] StageLabels =
    [
        (DemoStage.Simulated, "simulated events"),
        (DemoStage.Posted, "events posted to the gateways"),
        (DemoStage.SentToHub, "batches received by the hub"),
        (DemoStage.Routed, "messages routed to storage"),
        (DemoStage.Bronze, "bronze rows (device messages)"),
        (DemoStage.Silver, "silver batches"),
        (DemoStage.Gold, "gold transactions"),
    ];

    private readonly object _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<string> _steps = [];
    private readonly long[] _counts = new long[StageLabels.Length];
    private readonly Dictionary<DemoStage, Func<long>> _watches = [];
    private readonly SortedDictionary<string, DemoStoreProgress> _stores = new(StringComparer.Ordinal);
    private TimeSpan? _postingStarted;
    private TimeSpan? _postingEnded;

    /// <summary>Raised for each finished step, after it is recorded.</summary>
    public event Action<string>? StepAdded;

    public void Step(string text)
    {
        lock (_gate)
        {
            _steps.Add(text);
        }
        StepAdded?.Invoke(text);
    }

    public void Set(DemoStage stage, long count)
    {
        lock (_gate)
        {
            _counts[(int)stage] = count;
        }
    }

    /// <summary>Reads the stage's count from elsewhere (the hub's counters) whenever a view asks.</summary>
    public void Watch(DemoStage stage, Func<long> read)
    {
        lock (_gate)
        {
            _watches[stage] = read;
        }
    }

    /// <summary>Freezes a watched stage at its last value (its source is about to go away).</summary>
    public void Unwatch(DemoStage stage)
    {
        lock (_gate)
        {
            if (_watches.Remove(stage, out var read))
            {
                _counts[(int)stage] = read();
            }
        }
    }

    public void Posted(string store, long events)
    {
        lock (_gate)
        {
            _postingStarted ??= _clock.Elapsed;
            _counts[(int)DemoStage.Posted] += events;
            var current = _stores.GetValueOrDefault(store) ?? new DemoStoreProgress(store, 0, 0, 0);
            _stores[store] = current with { Posted = current.Posted + events };
        }
    }

    public void PostingDone()
    {
        lock (_gate)
        {
            _postingEnded ??= _clock.Elapsed;
        }
    }

    public void GatewayHealth(string store, long bufferedBatches, long rejected)
    {
        lock (_gate)
        {
            var current = _stores.GetValueOrDefault(store) ?? new DemoStoreProgress(store, 0, 0, 0);
            _stores[store] = current with { BufferedBatches = bufferedBatches, Rejected = rejected };
        }
    }

    public DemoProgressSnapshot Snapshot()
    {
        lock (_gate)
        {
            foreach (var (stage, read) in _watches)
            {
                _counts[(int)stage] = read();
            }
            var posting = (_postingEnded ?? _clock.Elapsed) - (_postingStarted ?? _clock.Elapsed);
            var rate = posting > TimeSpan.Zero ? _counts[(int)DemoStage.Posted] / posting.TotalSeconds : 0;
            return new DemoProgressSnapshot(
                _clock.Elapsed,
                [.. _steps],
                StageLabels.Select(s => (s.Stage, s.Label, _counts[(int)s.Stage])).ToList(),
                rate,
                [.. _stores.Values]);
        }
    }
}
