using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.Aggregation;

/// <summary>
/// The running stock position per item (ARCHITECTURE.md §5 <c>inventory</c>): the newest count plus
/// every change with ts ≥ that count's time, or all changes when the item was never counted. Exact in
/// any arrival order: each item keeps the changes since its newest count, so a late count that is newer
/// than the current one re-derives the sum from them, a late change at or after the count adds, a
/// change before the count and a count older than the current one change nothing.
/// </summary>
public sealed class RunningInventory
{
    private readonly Dictionary<long, ItemState> _items = new();

    public int Count => _items.Count;

    public IEnumerable<long> Items => _items.Keys;

    /// <summary>Applies a signed stock effect; true when the position changed.</summary>
    public bool ApplyChange(long itemId, DateTimeOffset ts, decimal effect)
    {
        var state = Get(itemId);
        if (state.CountAt is { } countAt && ts < countAt)
        {
            // Before the newest count: the count already includes it (§9 current_inventory).
            return false;
        }
        state.Changes.Add(new Change(ts.UtcTicks, effect));
        state.SumSince += effect;
        if (ts > state.AsOf)
        {
            state.AsOf = ts;
        }
        return true;
    }

    /// <summary>Applies a count; true when it became the item's newest count.</summary>
    public bool ApplyCount(long itemId, DateTimeOffset ts, decimal qty)
    {
        var state = Get(itemId);
        if (state.CountAt is { } countAt && ts < countAt)
        {
            // An older count never replaces a newer one.
            return false;
        }
        state.CountAt = ts;
        state.CountQty = qty;
        var ticks = ts.UtcTicks;
        state.Changes.RemoveAll(c => c.UtcTicks < ticks);
        var sum = 0m;
        foreach (var change in state.Changes)
        {
            sum += change.Effect;
        }
        state.SumSince = sum;
        if (ts > state.AsOf)
        {
            state.AsOf = ts;
        }
        return true;
    }

    /// <summary>The position of an item that has a count (<see cref="IsCounted"/> and <see cref="PositionOf"/> in one lookup).</summary>
    public bool TryGetCountedPosition(long itemId, out decimal position)
    {
        if (_items.TryGetValue(itemId, out var state) && state.CountQty is { } counted && state.CountAt is not null)
        {
            position = counted + state.SumSince;
            return true;
        }
        position = 0m;
        return false;
    }

    public bool IsCounted(long itemId) => _items.TryGetValue(itemId, out var state) && state.CountAt is not null;

    public decimal? PositionOf(long itemId) =>
        _items.TryGetValue(itemId, out var state) ? (state.CountQty ?? 0m) + state.SumSince : null;

    public InventoryPositionRow? Row(long itemId)
    {
        if (!_items.TryGetValue(itemId, out var state))
        {
            return null;
        }
        return new InventoryPositionRow(itemId, state.AsOf, (state.CountQty ?? 0m) + state.SumSince, state.CountAt, state.CountQty);
    }

    private ItemState Get(long itemId)
    {
        ref var state = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_items, itemId, out _);
        return state ??= new ItemState();
    }

    private readonly record struct Change(long UtcTicks, decimal Effect);

    private sealed class ItemState
    {
        public DateTimeOffset? CountAt;
        public decimal? CountQty;
        public decimal SumSince;
        public DateTimeOffset AsOf = DateTimeOffset.MinValue;
        public readonly List<Change> Changes = new(4);
    }
}
