using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.Aggregation;

/// <summary>
/// The running stock position per item (ARCHITECTURE.md §5 <c>inventory</c>): the newest count plus
/// every change with ts ≥ that count's time, or all changes when the item was never counted. Exact in
/// any arrival order within the newest <see cref="ExactChangesPerItem"/> changes of an item: each item
/// keeps those changes since its newest count, so a late count that is newer than the current one
/// re-derives the sum from them, a late change at or after the count adds, a change before the count
/// and a count older than the current one change nothing.
/// </summary>
/// <remarks>
/// Memory is bounded: beyond <see cref="ExactChangesPerItem"/> changes of one item since its count, the
/// oldest (by ts) are folded into one sum with the newest ts folded. A store sells most items fewer times
/// a day and its counts arrive within seconds, so exactness is kept there; a gateway taking thousands of
/// events a second keeps at most ≈ 3 KB per item instead of every basket line (24 bytes a line, ≈ 1 KB
/// per basket: hundreds of MB within minutes, all of it in the blocking collections' way). A count
/// newer than everything folded drops the folded sum, exactly; a count that falls among the folded changes
/// (taken before an item's last <see cref="ExactChangesPerItem"/> changes, yet newer than its last count)
/// cannot be split exactly: it is applied as if taken after them, and counted in <see cref="CountsAmongFolded"/>.
/// </remarks>
public sealed class RunningInventory
{
    /// <summary>Changes per item kept one by one since its newest count; older ones are folded into one sum.</summary>
    public const int ExactChangesPerItem = 64;

    private readonly Dictionary<long, ItemState> _items = new();

    /// <summary>Counts that fell among an item's folded changes (applied as if taken after them).</summary>
    public long CountsAmongFolded { get; private set; }

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
        if (state.Changes.Count >= 2 * ExactChangesPerItem)
        {
            Fold(state);
        }
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
        if (state.FoldedThroughTicks is { } foldedThrough && ticks <= foldedThrough)
        {
            CountsAmongFolded++;
        }
        state.FoldedThroughTicks = null;
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

    /// <summary>Folds the oldest changes (by ts) of an item into its sum, keeping the newest <see cref="ExactChangesPerItem"/>.</summary>
    private static void Fold(ItemState state)
    {
        var changes = state.Changes;
        // Mostly in ts order already (arrival order); a stable order keeps the fold deterministic on replay.
        changes.Sort(static (a, b) => a.UtcTicks.CompareTo(b.UtcTicks));
        var fold = changes.Count - ExactChangesPerItem;
        // The folded sum stays inside SumSince; only the newest folded ts is kept, for a later count.
        state.FoldedThroughTicks = Math.Max(state.FoldedThroughTicks ?? long.MinValue, changes[fold - 1].UtcTicks);
        changes.RemoveRange(0, fold);
    }

    /// <summary>Number of changes of an item kept one by one (for tests of the bound).</summary>
    internal int ExactChangesOf(long itemId) => _items.TryGetValue(itemId, out var state) ? state.Changes.Count : 0;

    private readonly record struct Change(long UtcTicks, decimal Effect);

    private sealed class ItemState
    {
        public DateTimeOffset? CountAt;
        public decimal? CountQty;
        public decimal SumSince;
        public DateTimeOffset AsOf = DateTimeOffset.MinValue;
        public readonly List<Change> Changes = new(4);
        // The newest ts among changes folded into SumSince (null: none folded since the count).
        public long? FoldedThroughTicks;
    }
}
