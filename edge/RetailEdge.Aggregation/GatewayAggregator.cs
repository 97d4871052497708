using System.Globalization;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Contracts.Twin;

namespace RetailEdge.Aggregation;

/// <summary>
/// The gateway's pure aggregation core (ARCHITECTURE.md §5–§6): event-time tumbling windows with a
/// watermark and allowed lateness, basket summaries, weighing and inventory-change aggregates,
/// snapshots passed through, the running inventory, offline alert rules and size-bounded sealing
/// into <see cref="TelemetryBatch"/>es with gap-free sequence numbers. No I/O, no clock: the caller
/// passes the receive time of every event and the current time to <see cref="Seal"/>.
/// Not thread-safe: one owner feeds it.
/// </summary>
/// <remarks>
/// Every event belongs to exactly one window (by its ts); all rows derived from an event leave the
/// aggregator together when that window closes, and all batches of one <see cref="Seal"/> call carry
/// the tags of the events they consumed. A host that stores the batches of one Seal and marks those
/// events sealed in one transaction can rebuild the open state after a crash by replaying the
/// unsealed events (<see cref="Add"/>) after the sealed ones (<see cref="Restore"/>).
/// </remarks>
public sealed class GatewayAggregator
{
    private readonly AggregatorOptions _options;
    private readonly SortedDictionary<WindowKey, Window> _open = new();
    private readonly RunningInventory _inventory = new();
    private readonly HashSet<long> _dirtyItems = new();
    private readonly HashSet<long> _belowSafety = new();
    private readonly Pending _pending = new();
    private readonly List<TelemetryAlert> _alerts = new();
    private readonly List<long> _alertTags = new();
    private readonly Dictionary<string, int> _rejectsByReason = new(StringComparer.Ordinal);
    private readonly List<string> _rejectSamples = new();
    private readonly List<long> _rejectTags = new();
    private GatewaySettings _settings;
    private long _eventStamp;
    private int _rejectCount;
    private DateTimeOffset? _rejectsSince;
    private bool _closeAllOnNextSeal;
    // A lower bound of the lengths of the open windows (lengths differ only after a settings change):
    // with the windows ordered by start, the scan for closed windows stops at the first one that
    // cannot have ended yet, instead of visiting every open window on every seal.
    private long _minOpenLengthTicks;

    public GatewayAggregator(AggregatorOptions options, long nextSeq = 1, ReferenceCatalog? reference = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(nextSeq, 1);
        _options = options;
        _settings = options.Settings;
        NextSeq = nextSeq;
        Reference = reference;
    }

    /// <summary>The seq the next sealed batch gets.</summary>
    public long NextSeq { get; private set; }

    public GatewaySettings Settings => _settings;

    public ReferenceCatalog? Reference { get; private set; }

    /// <summary>The newest event time seen: the watermark is this (or the clock) minus the allowed lateness.</summary>
    public DateTimeOffset? MaxEventTime { get; private set; }

    public RunningInventory Inventory => _inventory;

    public int OpenWindowCount => _open.Count;

    public int PendingRowCount => _pending.RowCount;

    public bool HasPendingAlerts => _alerts.Count > 0;

    /// <summary>Events added (valid, not restored) since construction.</summary>
    public long EventsAdded { get; private set; }

    /// <summary>New settings apply to new events; open windows of another length are closed at the next seal.</summary>
    public void UpdateSettings(GatewaySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var candidate = _options with { Settings = settings };
        candidate.Validate();
        if (settings.Window != _settings.Window)
        {
            _closeAllOnNextSeal = true;
        }
        _settings = settings;
    }

    public void UpdateReference(ReferenceCatalog? reference) => Reference = reference;

    /// <summary>
    /// Replays an event that is already sealed into a stored batch: it only rebuilds the running
    /// inventory and the alert state (no rows, no alerts). Feed restored events in journal order.
    /// </summary>
    public void Restore(StoreEvent storeEvent)
    {
        ArgumentNullException.ThrowIfNull(storeEvent);
        ObserveTime(storeEvent.Ts);
        ApplyInventory(storeEvent, tag: 0, emitAlerts: false, markDirty: false);
    }

    /// <summary>
    /// Adds a valid, not yet seen event. <paramref name="tag"/> identifies it in the caller's journal
    /// (returned in <see cref="SealedBatch.EventTags"/>); <paramref name="raw"/> is forwarded when the
    /// twin asks for raw events; <paramref name="emitAlerts"/> is false when replaying an event whose
    /// alerts were already sealed.
    /// </summary>
    public void Add(StoreEvent storeEvent, DateTimeOffset receivedAt, long tag = 0, string? raw = null, bool emitAlerts = true)
    {
        ArgumentNullException.ThrowIfNull(storeEvent);
        EventsAdded++;
        _eventStamp++;
        ObserveTime(storeEvent.Ts);
        var window = WindowOf(storeEvent.Ts, receivedAt);
        window.Tags.Add(tag);
        if (raw is not null && _settings.ForwardRaw)
        {
            window.Raw.Add(raw);
        }
        switch (storeEvent)
        {
            case BasketEvent basket:
                AddBasket(window, basket);
                break;
            case WeighingEvent weighing:
                var weighKey = new WeighingKey(weighing.ScaleId, weighing.ItemId);
                if (!window.Weighings.TryGetValue(weighKey, out var weigh))
                {
                    weigh = new WeighingAccumulator();
                    window.Weighings[weighKey] = weigh;
                }
                weigh.Count++;
                weigh.NetKg += weighing.NetKg;
                weigh.Amount += weighing.Amount;
                weigh.TareAnomalies += weighing.HasTareAnomaly ? 1 : 0;
                break;
            case InventoryChangeEvent change:
                foreach (var line in change.Lines)
                {
                    var item = ItemOf(window, new ItemKey(line.ItemId, change.ChangeType, null));
                    item.Qty += line.Qty;
                }
                break;
            case InventorySnapshotEvent snapshot:
                foreach (var count in snapshot.Counts)
                {
                    window.Snapshots.Add(new SnapshotRow(snapshot.Id, snapshot.Ts, count.ItemId, count.Qty, snapshot.EmployeeId));
                }
                break;
            default:
                throw new ArgumentException("unknown event type " + storeEvent.GetType().Name, nameof(storeEvent));
        }
        ApplyInventory(storeEvent, tag, emitAlerts, markDirty: true);
    }

    /// <summary>A rejected event, already kept in quarantine under <paramref name="tag"/>: counted in the next batch's rejects.</summary>
    public void AddReject(string reason, string? rawSample, DateTimeOffset receivedAt, long tag = 0)
    {
        ArgumentNullException.ThrowIfNull(reason);
        _rejectCount++;
        _rejectsByReason[reason] = _rejectsByReason.GetValueOrDefault(reason) + 1;
        if (rawSample is not null && _rejectSamples.Count < RejectSummary.MaxSamples)
        {
            _rejectSamples.Add(rawSample.Length > RejectSummary.MaxSampleChars ? rawSample[..RejectSummary.MaxSampleChars] : rawSample);
        }
        _rejectTags.Add(tag);
        _rejectsSince ??= receivedAt;
    }

    /// <summary>
    /// Closes the windows the watermark has passed and seals what is due: pending alerts at once (as
    /// their own batches, ahead of data), and the pending rows when they reach the size target, when
    /// the send interval has passed since the oldest of them was received, or when
    /// <paramref name="force"/> is set (flush: also closes every open window).
    /// </summary>
    public IReadOnlyList<SealedBatch> Seal(DateTimeOffset now, bool force = false)
    {
        CloseWindows(now, force || _closeAllOnNextSeal);
        _closeAllOnNextSeal = false;
        var sealedBatches = new List<SealedBatch>();
        if (_alerts.Count > 0)
        {
            SealAlerts(now, sealedBatches);
        }
        var oldest = _pending.Since;
        if (_rejectsSince is { } rejectsSince && (oldest is null || rejectsSince < oldest))
        {
            oldest = rejectsSince;
        }
        var hasData = _pending.RowCount > 0 || _rejectCount > 0 || force && _dirtyItems.Count > 0;
        if (hasData && (force || _pending.Bytes >= _settings.MaxBatchBytes || oldest is { } since && now - since >= _settings.SendInterval))
        {
            SealData(now, sealedBatches);
        }
        return sealedBatches;
    }

    private void ObserveTime(DateTimeOffset ts)
    {
        if (MaxEventTime is not { } max || ts > max)
        {
            MaxEventTime = ts;
        }
    }

    private Window WindowOf(DateTimeOffset ts, DateTimeOffset receivedAt)
    {
        // Windows are aligned to whole minutes of the store's local clock and keep the events' offset (§5).
        var lengthTicks = _settings.Window.Ticks;
        var localTicks = ts.DateTime.Ticks;
        var startLocal = localTicks - localTicks % lengthTicks;
        var start = new DateTimeOffset(startLocal, ts.Offset);
        var key = new WindowKey(start.UtcTicks, ts.Offset.Ticks);
        if (!_open.TryGetValue(key, out var window))
        {
            _minOpenLengthTicks = _open.Count == 0 ? lengthTicks : Math.Min(_minOpenLengthTicks, lengthTicks);
            window = new Window(start, _settings.Window, receivedAt);
            _open[key] = window;
        }
        else if (receivedAt < window.FirstReceivedAt)
        {
            window.FirstReceivedAt = receivedAt;
        }
        return window;
    }

    private ItemAccumulator ItemOf(Window window, ItemKey key, bool countsEvent = true)
    {
        ref var item = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(window.Items, key, out _);
        item ??= new ItemAccumulator();
        if (countsEvent && item.LastStamp != _eventStamp)
        {
            // events counts distinct events: a basket with the same item on two lines counts once (§5).
            item.LastStamp = _eventStamp;
            item.Events++;
        }
        return item;
    }

    private void AddBasket(Window window, BasketEvent basket)
    {
        var qty = 0m;
        var amount = 0m;
        for (var i = 0; i < basket.Lines.Count; i++)
        {
            var line = basket.Lines[i];
            var changeType = ChangeTypes.ForBasketLine(basket.Channel, line.Qty);
            // a basket counts once per item (§5, the cloud's transactions per item): a sale and a return line of the
            // same item land in two rows, and only the row of the item's first line counts the basket
            var item = ItemOf(window, new ItemKey(line.ItemId, changeType, basket.Channel), countsEvent: !HasEarlierLineOf(basket.Lines, i));
            var lineAmount = line.Amount;
            item.Qty += line.Qty;
            item.Amount += lineAmount;
            item.Discount += line.Discount;
            qty += line.Qty;
            amount += lineAmount;
        }
        window.Baskets.Add(new BasketSummaryRow(basket.Id, basket.Ts, basket.LaneId, basket.Channel, basket.CustomerId, basket.Lines.Count, qty, amount));
    }

    private static bool HasEarlierLineOf(IReadOnlyList<BasketLine> lines, int index)
    {
        for (var i = 0; i < index; i++)
        {
            if (lines[i].ItemId == lines[index].ItemId)
            {
                return true;
            }
        }
        return false;
    }

    private void ApplyInventory(StoreEvent storeEvent, long tag, bool emitAlerts, bool markDirty)
    {
        switch (storeEvent)
        {
            case BasketEvent basket:
                foreach (var line in basket.Lines)
                {
                    if (_inventory.ApplyChange(line.ItemId, basket.Ts, ChangeTypes.StockEffectOfBasketLine(line.Qty)))
                    {
                        Touched(line.ItemId, storeEvent, tag, emitAlerts, markDirty);
                    }
                    if (emitAlerts)
                    {
                        CheckPrice(basket, line, tag);
                    }
                }
                break;
            case InventoryChangeEvent change:
                foreach (var line in change.Lines)
                {
                    if (_inventory.ApplyChange(line.ItemId, change.Ts, ChangeTypes.StockEffectOfChangeLine(change.ChangeType, line.Qty)))
                    {
                        Touched(line.ItemId, storeEvent, tag, emitAlerts, markDirty);
                    }
                }
                break;
            case InventorySnapshotEvent snapshot:
                foreach (var count in snapshot.Counts)
                {
                    if (_inventory.ApplyCount(count.ItemId, snapshot.Ts, count.Qty))
                    {
                        Touched(count.ItemId, storeEvent, tag, emitAlerts, markDirty);
                    }
                }
                break;
            default:
                // A weighing prints a label; the basket line that scans it moves the stock.
                break;
        }
    }

    private void Touched(long itemId, StoreEvent storeEvent, long tag, bool emitAlerts, bool markDirty)
    {
        if (markDirty)
        {
            _dirtyItems.Add(itemId);
        }
        // Low stock needs a counted position (an uncounted item's position is only a sum of changes)
        // and a safety stock from reference data; one alert per downward crossing.
        if (Reference is null || !Reference.TryGet(itemId, out var reference) || reference.SafetyStockQuantity <= 0 || !_inventory.TryGetCountedPosition(itemId, out var position))
        {
            return;
        }
        if (position >= reference.SafetyStockQuantity)
        {
            _belowSafety.Remove(itemId);
            return;
        }
        if (!_belowSafety.Add(itemId) || !emitAlerts || !_settings.LowStockAlerts)
        {
            return;
        }
        _alerts.Add(new TelemetryAlert(AlertKinds.LowStock, storeEvent.Ts, itemId, new Dictionary<string, string>
        {
            ["eventId"] = storeEvent.Id,
            ["position"] = position.ToString(CultureInfo.InvariantCulture),
            ["safetyStock"] = reference.SafetyStockQuantity.ToString(CultureInfo.InvariantCulture),
        }));
        _alertTags.Add(tag);
    }

    private void CheckPrice(BasketEvent basket, BasketLine line, long tag)
    {
        if (Reference is null || !Reference.TryGet(line.ItemId, out var reference) || reference.UnitPrice <= 0)
        {
            return;
        }
        if (line.UnitPrice == reference.UnitPrice && _settings.PriceMismatchTolerance >= 0m)
        {
            // The usual case, without the decimal division below (which would give 0).
            return;
        }
        var difference = Math.Abs(line.UnitPrice - reference.UnitPrice) / reference.UnitPrice;
        if (difference <= _settings.PriceMismatchTolerance)
        {
            return;
        }
        _alerts.Add(new TelemetryAlert(AlertKinds.PriceMismatch, basket.Ts, line.ItemId, new Dictionary<string, string>
        {
            ["eventId"] = basket.Id,
            ["laneId"] = basket.LaneId,
            ["posPrice"] = line.UnitPrice.ToString(CultureInfo.InvariantCulture),
            ["catalogPrice"] = reference.UnitPrice.ToString(CultureInfo.InvariantCulture),
        }));
        _alertTags.Add(tag);
    }

    private void CloseWindows(DateTimeOffset now, bool all)
    {
        if (_open.Count == 0)
        {
            return;
        }
        // Watermark: the newest event time or the clock, whichever is later, minus the allowed lateness.
        var clock = MaxEventTime is { } max && max > now ? max : now;
        var watermarkTicks = (clock - _settings.AllowedLateness).UtcTicks;
        List<WindowKey>? closed = null;
        foreach (var (key, window) in _open)
        {
            if (!all && key.StartUtcTicks + _minOpenLengthTicks > watermarkTicks)
            {
                // This window and every later one (keys are ordered by start) end after the watermark.
                break;
            }
            if (!all && (window.Start + window.Length).UtcTicks > watermarkTicks)
            {
                // Keys are ordered by start, but lengths may differ after a settings change: keep scanning.
                continue;
            }
            closed ??= new List<WindowKey>();
            closed.Add(key);
            _pending.Take(window);
        }
        if (closed is not null)
        {
            foreach (var key in closed)
            {
                _open.Remove(key);
            }
        }
    }

    private void SealAlerts(DateTimeOffset now, List<SealedBatch> output)
    {
        var batchAlerts = new List<TelemetryAlert>();
        var bytes = RowSize.Envelope;
        var first = true;
        foreach (var alert in _alerts)
        {
            var size = RowSize.Of(alert);
            if (batchAlerts.Count > 0 && bytes + size > _settings.MaxBatchBytes)
            {
                output.Add(Finish(new TelemetryBatch { StoreId = _options.StoreId, Gateway = _options.Gateway, Seq = 0, CreatedAt = now, Alerts = batchAlerts }, true, [], first ? [.. _alertTags] : [], []));
                first = false;
                batchAlerts = new List<TelemetryAlert>();
                bytes = RowSize.Envelope;
            }
            batchAlerts.Add(alert);
            bytes += size;
        }
        output.Add(Finish(new TelemetryBatch { StoreId = _options.StoreId, Gateway = _options.Gateway, Seq = 0, CreatedAt = now, Alerts = batchAlerts }, true, [], first ? [.. _alertTags] : [], []));
        _alerts.Clear();
        _alertTags.Clear();
    }

    private void SealData(DateTimeOffset now, List<SealedBatch> output)
    {
        var inventory = new List<InventoryPositionRow>(_dirtyItems.Count);
        foreach (var itemId in _dirtyItems.Order())
        {
            if (_inventory.Row(itemId) is { } row)
            {
                inventory.Add(row);
            }
        }
        _dirtyItems.Clear();
        var rejects = _rejectCount == 0
            ? RejectSummary.Empty
            : new RejectSummary(_rejectCount, new Dictionary<string, int>(_rejectsByReason, StringComparer.Ordinal), [.. _rejectSamples]);
        var eventTags = _pending.Tags.ToArray();
        var rejectTags = _rejectTags.ToArray();
        var cutter = new BatchCutter(_settings.MaxBatchBytes);
        cutter.AddAll(_pending, inventory);
        var first = true;
        foreach (var part in cutter.Parts)
        {
            var batch = new TelemetryBatch
            {
                StoreId = _options.StoreId,
                Gateway = _options.Gateway,
                Module = _options.Module,
                Seq = 0,
                CreatedAt = now,
                WindowSeconds = (int)_settings.Window.TotalSeconds,
                Items = part.Items,
                Baskets = part.Baskets,
                Weighings = part.Weighings,
                Snapshots = part.Snapshots,
                Inventory = part.Inventory,
                Raw = part.Raw,
                Rejects = first ? rejects : RejectSummary.Empty,
            };
            output.Add(Finish(batch, false, first ? eventTags : [], [], first ? rejectTags : []));
            first = false;
        }
        _pending.Clear();
        _rejectCount = 0;
        _rejectsByReason.Clear();
        _rejectSamples.Clear();
        _rejectTags.Clear();
        _rejectsSince = null;
    }

    private SealedBatch Finish(TelemetryBatch draft, bool isAlert, long[] eventTags, long[] alertTags, long[] rejectTags)
    {
        var batch = draft with { Seq = NextSeq++, Module = _options.Module, JournalId = _options.JournalId, WindowSeconds = (int)_settings.Window.TotalSeconds };
        var json = TelemetryBatchCodec.EncodeJson(batch);
        if (json.Length > GatewaySettings.HardMaxBatchBytes)
        {
            throw new InvalidOperationException($"batch {batch.Seq} is {json.Length} bytes, over the hard limit; a single row is too large");
        }
        return new SealedBatch(batch, json, isAlert, eventTags, alertTags, rejectTags);
    }

    private readonly record struct WindowKey(long StartUtcTicks, long OffsetTicks) : IComparable<WindowKey>
    {
        public int CompareTo(WindowKey other)
        {
            var byStart = StartUtcTicks.CompareTo(other.StartUtcTicks);
            return byStart != 0 ? byStart : OffsetTicks.CompareTo(other.OffsetTicks);
        }
    }

    internal readonly record struct ItemKey(long ItemId, string ChangeType, string? Channel);

    /// <summary>
    /// Hashes an <see cref="ItemKey"/> by its item id and the lengths of its two words: the item id
    /// tells keys apart almost always, and hashing the strings themselves costs more than the rest of
    /// a basket line's aggregation. Equality still compares the strings (ordinal).
    /// </summary>
    internal sealed class ItemKeyComparer : IEqualityComparer<ItemKey>
    {
        public static readonly ItemKeyComparer Instance = new();

        public bool Equals(ItemKey x, ItemKey y) =>
            x.ItemId == y.ItemId && string.Equals(x.ChangeType, y.ChangeType, StringComparison.Ordinal) && string.Equals(x.Channel, y.Channel, StringComparison.Ordinal);

        public int GetHashCode(ItemKey key) => HashCode.Combine(key.ItemId, key.ChangeType.Length, key.Channel?.Length ?? -1);
    }

    internal readonly record struct WeighingKey(string ScaleId, long ItemId);

    internal sealed class ItemAccumulator
    {
        public int Events;
        public decimal Qty;
        public decimal Amount;
        public decimal Discount;
        public long LastStamp;
    }

    internal sealed class WeighingAccumulator
    {
        public int Count;
        public decimal NetKg;
        public decimal Amount;
        public int TareAnomalies;
    }

    internal sealed class Window(DateTimeOffset start, TimeSpan length, DateTimeOffset firstReceivedAt)
    {
        public DateTimeOffset Start { get; } = start;
        public TimeSpan Length { get; } = length;
        public DateTimeOffset FirstReceivedAt { get; set; } = firstReceivedAt;
        public Dictionary<ItemKey, ItemAccumulator> Items { get; } = new(ItemKeyComparer.Instance);
        public List<BasketSummaryRow> Baskets { get; } = new();
        public Dictionary<WeighingKey, WeighingAccumulator> Weighings { get; } = new();
        public List<SnapshotRow> Snapshots { get; } = new();
        public List<string> Raw { get; } = new();
        public List<long> Tags { get; } = new();
    }

    /// <summary>Rows of closed windows waiting to be sealed.</summary>
    internal sealed class Pending
    {
        public List<ItemWindowRow> Items { get; } = new();
        public List<BasketSummaryRow> Baskets { get; } = new();
        public List<WeighingWindowRow> Weighings { get; } = new();
        public List<SnapshotRow> Snapshots { get; } = new();
        public List<string> Raw { get; } = new();
        public List<long> Tags { get; } = new();
        public int Bytes { get; private set; }
        public DateTimeOffset? Since { get; private set; }
        public int RowCount => Items.Count + Baskets.Count + Weighings.Count + Snapshots.Count + Raw.Count;

        public void Take(Window window)
        {
            foreach (var (key, item) in window.Items)
            {
                var row = new ItemWindowRow(window.Start, key.ItemId, key.ChangeType, key.Channel, item.Events, item.Qty, item.Amount, item.Discount);
                Items.Add(row);
                Bytes += RowSize.Of(row);
            }
            foreach (var row in window.Baskets)
            {
                Baskets.Add(row);
                Bytes += RowSize.Of(row);
            }
            foreach (var (key, weigh) in window.Weighings)
            {
                var row = new WeighingWindowRow(window.Start, key.ScaleId, key.ItemId, weigh.Count, weigh.NetKg, weigh.Amount, weigh.TareAnomalies);
                Weighings.Add(row);
                Bytes += RowSize.Of(row);
            }
            foreach (var row in window.Snapshots)
            {
                Snapshots.Add(row);
                Bytes += RowSize.Of(row);
            }
            foreach (var raw in window.Raw)
            {
                Raw.Add(raw);
                Bytes += RowSize.OfRaw(raw);
            }
            Tags.AddRange(window.Tags);
            if (Since is not { } since || window.FirstReceivedAt < since)
            {
                Since = window.FirstReceivedAt;
            }
        }

        public void Clear()
        {
            Items.Clear();
            Baskets.Clear();
            Weighings.Clear();
            Snapshots.Clear();
            Raw.Clear();
            Tags.Clear();
            Bytes = 0;
            Since = null;
        }
    }

    /// <summary>Cuts pending rows into batches of about the size target, sections in a fixed order.</summary>
    internal sealed class BatchCutter(int target)
    {
        private Part _current = new();

        public List<Part> Parts { get; } = new();

        public void AddAll(Pending pending, List<InventoryPositionRow> inventory)
        {
            foreach (var row in pending.Items)
            {
                Room(RowSize.Of(row)).Items.Add(row);
            }
            foreach (var row in pending.Baskets)
            {
                Room(RowSize.Of(row)).Baskets.Add(row);
            }
            foreach (var row in pending.Weighings)
            {
                Room(RowSize.Of(row)).Weighings.Add(row);
            }
            foreach (var row in pending.Snapshots)
            {
                Room(RowSize.Of(row)).Snapshots.Add(row);
            }
            foreach (var row in inventory)
            {
                Room(RowSize.Of(row)).Inventory.Add(row);
            }
            foreach (var raw in pending.Raw)
            {
                Room(RowSize.OfRaw(raw)).Raw.Add(raw);
            }
            if (Parts.Count == 0 || _current.Bytes > RowSize.Envelope)
            {
                Parts.Add(_current);
            }
        }

        private Part Room(int size)
        {
            if (_current.Bytes > RowSize.Envelope && _current.Bytes + size > target)
            {
                Parts.Add(_current);
                _current = new Part();
            }
            _current.Bytes += size;
            return _current;
        }

        internal sealed class Part
        {
            public int Bytes = RowSize.Envelope;
            public List<ItemWindowRow> Items { get; } = new();
            public List<BasketSummaryRow> Baskets { get; } = new();
            public List<WeighingWindowRow> Weighings { get; } = new();
            public List<SnapshotRow> Snapshots { get; } = new();
            public List<InventoryPositionRow> Inventory { get; } = new();
            public List<string> Raw { get; } = new();
        }
    }
}
