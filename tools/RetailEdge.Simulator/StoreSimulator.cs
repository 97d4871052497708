using RetailEdge.Contracts.Events;

namespace RetailEdge.Simulator;

/// <summary>
/// A deterministic simulation of N stores: the same options give the same messages, byte for byte.
/// <see cref="Generate"/> streams every store's messages merged in arrival order without holding the
/// run in memory; faults are layered on top of the valid stream from a separate seeded stream.
/// </summary>
public sealed class StoreSimulator
{
    private readonly SimulationOptions _options;
    private readonly DailyCurve _curve;

    public StoreSimulator(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        Catalog = new SimulationCatalog(options);
        _curve = new DailyCurve(Catalog.Profile);
    }

    public SimulationOptions Options => _options;

    public SimulationCatalog Catalog { get; }

    public SimulationProfile Profile => Catalog.Profile;

    /// <summary>Faults injected by the current (or last) enumeration of <see cref="Generate"/>.</summary>
    public FaultSummary Faults { get; } = new();

    /// <summary>The first instant simulated for a store (its local start, in its offset).</summary>
    public DateTimeOffset StartOf(int storeId)
    {
        var offset = Catalog.OffsetOf(storeId);
        return _options.StartIsStoreLocal
            ? new DateTimeOffset(_options.Start.DateTime, offset)
            : _options.Start.ToOffset(offset);
    }

    /// <summary>The end (exclusive) of a store's simulated time.</summary>
    public DateTimeOffset EndOf(int storeId) => StartOf(storeId) + _options.Duration;

    /// <summary>
    /// All messages of all stores in arrival order (ties: store id, then the store's own order).
    /// Lazy: each enumeration starts the simulation afresh and resets <see cref="Faults"/>.
    /// </summary>
    public IEnumerable<SimulatedEvent> Generate()
    {
        Faults.Reset();
        var stores = new PriorityQueue<StoreCursor, (long Ticks, int StoreId)>();
        var cursors = new List<StoreCursor>(_options.Stores);
        for (var storeId = 1; storeId <= _options.Stores; storeId++)
        {
            var start = StartOf(storeId);
            var end = EndOf(storeId);
            var stream = new StoreStream(Catalog, _curve, storeId, _options.Seed, start.DateTime.Ticks, end.DateTime.Ticks);
            cursors.Add(new StoreCursor(stream, _options.Faults.IsNone ? null : new FaultInjector(_options.Faults, _options.Seed, storeId)));
        }

        var pending = new PriorityQueue<SimulatedEvent, ArrivalKey>();
        foreach (var cursor in cursors)
        {
            if (cursor.MoveNext())
            {
                stores.Enqueue(cursor, (cursor.Current.UtcTicks, cursor.StoreId));
            }
        }
        while (stores.TryDequeue(out var cursor, out _))
        {
            var current = cursor.Current;
            Enqueue(pending, cursor, current.Event, current.Json, current.UtcTicks, current.Sequence);
            if (cursor.MoveNext())
            {
                stores.Enqueue(cursor, (cursor.Current.UtcTicks, cursor.StoreId));
            }

            // anything due before the next event of any store can go out: later events only arrive later
            if (stores.TryPeek(out var next, out var nextKey))
            {
                var bound = new ArrivalKey(nextKey.Ticks, nextKey.StoreId, next.NextOrder);
                while (pending.TryPeek(out _, out var key) && key.CompareTo(bound) < 0)
                {
                    yield return pending.Dequeue();
                }
            }
        }
        while (pending.TryDequeue(out var remaining, out _))
        {
            yield return remaining;
        }
    }

    private void Enqueue(PriorityQueue<SimulatedEvent, ArrivalKey> pending, StoreCursor cursor, StoreEvent storeEvent, byte[] json, long utcTicks, long sequence)
    {
        var storeId = storeEvent.StoreId;
        var ts = storeEvent.Ts;
        var fault = cursor.Faults?.Draw(storeEvent);
        if (fault is null)
        {
            pending.Enqueue(new SimulatedEvent(ts, storeId, json, storeEvent, null, null) { StoreSequence = sequence }, cursor.Key(utcTicks));
            return;
        }
        var injector = cursor.Faults!;
        Faults.Add(fault);
        switch (fault)
        {
            case FaultKinds.OutOfOrder or FaultKinds.Late or FaultKinds.LateSnapshot:
            {
                var delay = injector.DelayFor(fault);
                pending.Enqueue(new SimulatedEvent(ts + delay, storeId, json, storeEvent, fault, null) { StoreSequence = sequence }, cursor.Key(utcTicks + delay.Ticks));
                break;
            }
            case FaultKinds.Duplicate:
            {
                pending.Enqueue(new SimulatedEvent(ts, storeId, json, storeEvent, null, null) { StoreSequence = sequence }, cursor.Key(utcTicks));
                var delay = injector.DelayFor(fault);
                pending.Enqueue(new SimulatedEvent(ts + delay, storeId, json, storeEvent, fault, Contracts.Validation.ReasonCodes.Duplicate), cursor.Key(utcTicks + delay.Ticks));
                break;
            }
            default:
            {
                pending.Enqueue(new SimulatedEvent(ts, storeId, json, storeEvent, null, null) { StoreSequence = sequence }, cursor.Key(utcTicks));
                var (bad, reason) = injector.Corrupt(fault, storeEvent, json, ts);
                pending.Enqueue(new SimulatedEvent(ts, storeId, bad, null, fault, reason), cursor.Key(utcTicks));
                break;
            }
        }
    }

    /// <summary>
    /// A store's stream with its fault injector and a counter that orders its messages. It generates
    /// and serialises a batch of the store's events at a time, and the next batch in the background
    /// while the merge consumes this one: stores are independent (each has its own seeded stream and
    /// only reads the shared catalogue), so this spreads a run over the cores without changing a
    /// byte. Only one batch of a store is ever being made at a time, in order.
    /// </summary>
    private sealed class StoreCursor(StoreStream stream, FaultInjector? faults)
    {
        private const int BatchSize = 64;

        private readonly EventJsonWriter _writer = new();
        private Produced[] _batch = [];
        private Task<Produced[]>? _next;
        private int _index = -1;

        public int StoreId => stream.StoreId;

        public FaultInjector? Faults { get; } = faults;

        /// <summary>The order the next message of this store will get.</summary>
        public long NextOrder { get; private set; }

        public ref readonly Produced Current => ref _batch[_index];

        public bool MoveNext()
        {
            if (++_index < _batch.Length)
            {
                return true;
            }
            _batch = _next is null ? Fill() : _next.GetAwaiter().GetResult();
            _index = 0;
            _next = _batch.Length == BatchSize ? Task.Run(Fill) : null;
            return _batch.Length > 0;
        }

        public ArrivalKey Key(long utcTicks) => new(utcTicks, StoreId, NextOrder++);

        private Produced[] Fill()
        {
            var batch = new List<Produced>(BatchSize);
            while (batch.Count < BatchSize && stream.MoveNext())
            {
                batch.Add(new Produced(stream.Current, _writer.Serialize(stream.Current), stream.CurrentUtcTicks, stream.Sequence));
            }
            return [.. batch];
        }
    }

    /// <summary>A valid event of a store with its bytes, time (UTC ticks) and place in the store's stream.</summary>
    private readonly record struct Produced(StoreEvent Event, byte[] Json, long UtcTicks, long Sequence);

    /// <summary>Arrival order: time, then store, then the store's own order (keeps ties deterministic).</summary>
    private readonly record struct ArrivalKey(long UtcTicks, int StoreId, long Order) : IComparable<ArrivalKey>
    {
        public int CompareTo(ArrivalKey other)
        {
            var c = UtcTicks.CompareTo(other.UtcTicks);
            if (c != 0)
            {
                return c;
            }
            c = StoreId.CompareTo(other.StoreId);
            return c != 0 ? c : Order.CompareTo(other.Order);
        }
    }
}
