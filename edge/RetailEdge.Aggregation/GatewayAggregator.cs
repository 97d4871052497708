using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Contracts.Twin;

namespace RetailEdge.Aggregation;

/// <summary>
/// The gateway's pure aggregation core (ARCHITECTURE.md §5–§6): event-time tumbling windows sealed
/// when the watermark passes their end plus the seal grace (<see cref="OpenWindows"/>, <see cref="Window"/>),
/// the running inventory (<see cref="RunningInventory"/>), offline alert rules (<see cref="AlertRules"/>),
/// the reject summary (<see cref="RejectTally"/>) and size-bounded batches with gap-free sequence
/// numbers (<see cref="SealJob"/>, <see cref="BatchCutter"/>). No I/O, no clock: the caller passes the
/// receive time of every event and the current time to <see cref="Close"/> / <see cref="Seal"/>.
/// Not thread-safe: one owner feeds it (a <see cref="SealJob"/> it hands out may be encoded elsewhere).
/// </summary>
/// <remarks>
/// Every event belongs to exactly one window (by its ts); all rows derived from an event leave the
/// aggregator together when that window closes, and all batches of one job carry the tags of the
/// events they consumed. A host that stores the batches of one job and marks those events sealed in
/// one transaction can rebuild the open state after a crash by replaying the unsealed events
/// (<see cref="Add"/>) after the sealed ones (<see cref="Restore"/>). An event whose window was
/// already sealed opens it again: its rows are another additive partial row in a later batch.
/// </remarks>
public sealed class GatewayAggregator
{
    private readonly AggregatorOptions _options;
    private readonly OpenWindows _open = new();
    private readonly RunningInventory _inventory = new();
    private readonly HashSet<long> _dirtyItems = new();
    private readonly AlertRules _alerts = new();
    private readonly RejectTally _rejects = new();
    // Closed windows whose rows wait for the send interval (or for company, when late).
    private readonly List<Window> _pending = new();
    private int _pendingBytes;
    private DateTimeOffset? _pendingDue;
    private GatewaySettings _settings;
    private long _eventStamp;
    private bool _closeAllOnNextSeal;

    public GatewayAggregator(AggregatorOptions options, long nextSeq = 1, ReferenceCatalog? reference = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(nextSeq, 1);
        _options = options;
        _settings = options.Settings;
        NextSeq = nextSeq;
        _alerts.Reference = reference;
    }

    /// <summary>The seq the next batch sealed by <see cref="Seal"/> gets (a host encoding <see cref="SealJob"/>s itself keeps its own).</summary>
    public long NextSeq { get; private set; }

    public GatewaySettings Settings => _settings;

    public ReferenceCatalog? Reference => _alerts.Reference;

    /// <summary>The newest event time seen: the watermark is this or the clock, whichever is later.</summary>
    public DateTimeOffset? MaxEventTime { get; private set; }

    public RunningInventory Inventory => _inventory;

    public int OpenWindowCount => _open.Count;

    /// <summary>Rows of closed windows not yet handed out (waiting for the send interval).</summary>
    public int PendingRowCount => _pending.Sum(w => w.RowCount);

    public bool HasPendingAlerts => _alerts.HasPending;

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

    public void UpdateReference(ReferenceCatalog? reference) => _alerts.Reference = reference;

    /// <summary>
    /// Replays an event that is already sealed into a stored batch: it only rebuilds the running
    /// inventory and the alert state (no rows, no alerts). Feed restored events in journal order.
    /// </summary>
    public void Restore(StoreEvent storeEvent)
    {
        ArgumentNullException.ThrowIfNull(storeEvent);
        ObserveTime(storeEvent.Ts);
        _open.MarkSealed(storeEvent.Ts, _settings.Window);
        ApplyInventory(storeEvent, tag: 0, emitAlerts: false, markDirty: false);
    }

    /// <summary>
    /// Adds a valid, not yet seen event. <paramref name="tag"/> identifies it in the caller's journal
    /// (returned in <see cref="SealedBatch.EventTags"/>); <paramref name="raw"/> is forwarded when the
    /// twin asks for raw events; <paramref name="emitAlerts"/> is false when replaying an event whose
    /// alerts were already sealed. Returns whether the event is late: received more than
    /// <see cref="GatewaySettings.AllowedLateness"/> after its time (it is aggregated all the same).
    /// </summary>
    public bool Add(StoreEvent storeEvent, DateTimeOffset receivedAt, long tag = 0, string? raw = null, bool emitAlerts = true)
    {
        ArgumentNullException.ThrowIfNull(storeEvent);
        EventsAdded++;
        _eventStamp++;
        ObserveTime(storeEvent.Ts);
        var window = _open.Of(storeEvent.Ts, _settings.Window, receivedAt);
        window.Add(storeEvent, _eventStamp, tag, _settings.ForwardRaw ? raw : null);
        ApplyInventory(storeEvent, tag, emitAlerts, markDirty: true);
        return receivedAt - storeEvent.Ts > _settings.AllowedLateness;
    }

    /// <summary>A rejected event, already kept in quarantine under <paramref name="tag"/>: counted in the next batch's rejects.</summary>
    public void AddReject(string reason, string? rawSample, DateTimeOffset receivedAt, long tag = 0)
    {
        ArgumentNullException.ThrowIfNull(reason);
        _rejects.Add(reason, rawSample, receivedAt, tag);
    }

    /// <summary>
    /// <see cref="Close"/> and <see cref="SealJob.Encode"/> in one step, numbering from <see cref="NextSeq"/>:
    /// for hosts that seal on the thread that adds (tests, <see cref="TelemetryPipeline"/>).
    /// </summary>
    public IReadOnlyList<SealedBatch> Seal(DateTimeOffset now, bool force = false)
    {
        if (Close(now, force) is not { } job)
        {
            return [];
        }
        var batches = job.Encode(NextSeq);
        NextSeq += batches.Count;
        return batches;
    }

    /// <summary>
    /// Closes the windows whose end plus the seal grace the watermark has passed and takes out what is
    /// due: pending alerts at once, and the rows of closed windows with the changed inventory positions
    /// and the rejects — at once by default (send interval 0), else when the size target is reached or
    /// the oldest of them was received the send interval ago. Rows of late windows and rejects wait up to
    /// one window length for the next on-time batch, so that a trickle of late events does not cost a
    /// message each (a window never sealed before, such as a backlog after an outage, is not late). <paramref name="force"/> (flush) closes every open window and takes everything.
    /// Returns null when nothing is due. <paramref name="alertsDue"/> false keeps pending alerts for a later call
    /// unless data is sealed now (the host paces alert-only seals).
    /// </summary>
    public SealJob? Close(DateTimeOffset now, bool force = false, bool alertsDue = true)
    {
        var closeAll = force || _closeAllOnNextSeal;
        _closeAllOnNextSeal = false;
        foreach (var window in _open.Close(SealPoint(now).UtcTicks, closeAll))
        {
            _pending.Add(window);
            _pendingBytes += window.Bytes;
            var wait = window.Late ? Max(_settings.SendInterval, window.Length) : _settings.SendInterval;
            _pendingDue = Min(_pendingDue, window.FirstReceivedAt + wait);
        }
        var due = _pendingDue;
        if (_rejects.Since is { } rejectsSince)
        {
            due = Min(due, rejectsSince + Max(_settings.SendInterval, _settings.Window));
        }
        var hasData = _pending.Count > 0 || !_rejects.IsEmpty || force && _dirtyItems.Count > 0;
        var dataDue = hasData && (force || _pendingBytes >= _settings.MaxBatchBytes || due is { } d && now >= d);
        if (!dataDue && !(_alerts.HasPending && (alertsDue || force)))
        {
            return null;
        }
        var alerts = _alerts.Take();
        if (!dataDue)
        {
            return new SealJob(_options, _settings, now, alerts, false, [], [], (RejectSummary.Empty, []));
        }
        var inventory = new List<InventoryPositionRow>(_dirtyItems.Count);
        foreach (var itemId in _dirtyItems.Order())
        {
            if (_inventory.Row(itemId) is { } row)
            {
                inventory.Add(row);
            }
        }
        _dirtyItems.Clear();
        var windows = new List<Window>(_pending);
        _pending.Clear();
        _pendingBytes = 0;
        _pendingDue = null;
        return new SealJob(_options, _settings, now, alerts, true, windows, inventory, _rejects.Take());
    }

    /// <summary>Windows ending at or before this point are sealed: the watermark (newest event time or clock) minus the grace.</summary>
    private DateTimeOffset SealPoint(DateTimeOffset now)
    {
        var clock = MaxEventTime is { } max && max > now ? max : now;
        return clock - _settings.SealGrace;
    }

    private static DateTimeOffset Min(DateTimeOffset? a, DateTimeOffset b) => a is { } value && value < b ? value : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private void ObserveTime(DateTimeOffset ts)
    {
        if (MaxEventTime is not { } max || ts > max)
        {
            MaxEventTime = ts;
        }
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
                        _alerts.CheckPrice(basket, line, tag, _settings);
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
        _alerts.PositionChanged(itemId, _inventory, storeEvent, tag, emitAlerts, _settings);
    }
}
