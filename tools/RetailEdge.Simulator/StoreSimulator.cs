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
        for (var storeId = 1; storeId <= _options.Stores; storeId++)
        {
            var start = StartOf(storeId);
            var end = EndOf(storeId);
            var stream = new StoreStream(Catalog, _curve, storeId, _options.Seed, start.DateTime.Ticks, end.DateTime.Ticks);
            var cursor = new StoreCursor(stream, _options.Faults.IsNone ? null : new FaultInjector(_options.Faults, _options.Seed, storeId));
            if (stream.MoveNext())
            {
                stores.Enqueue(cursor, (stream.CurrentUtcTicks, storeId));
            }
        }

        var writer = new EventJsonWriter();
        var pending = new PriorityQueue<SimulatedEvent, ArrivalKey>();
        while (stores.TryDequeue(out var cursor, out _))
        {
            var stream = cursor.Stream;
            var storeEvent = stream.Current;
            var json = writer.Serialize(storeEvent);
            Enqueue(pending, cursor, storeEvent, json, stream.CurrentUtcTicks, stream.Sequence);
            if (stream.MoveNext())
            {
                stores.Enqueue(cursor, (stream.CurrentUtcTicks, stream.StoreId));
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

    /// <summary>A store's stream with its fault injector and a counter that orders its messages.</summary>
    private sealed class StoreCursor(StoreStream stream, FaultInjector? faults)
    {
        public StoreStream Stream { get; } = stream;

        public FaultInjector? Faults { get; } = faults;

        /// <summary>The order the next message of this store will get.</summary>
        public long NextOrder { get; private set; }

        public ArrivalKey Key(long utcTicks) => new(utcTicks, Stream.StoreId, NextOrder++);
    }

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
