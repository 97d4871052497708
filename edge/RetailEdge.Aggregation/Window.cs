using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.Aggregation;

/// <summary>A window's identity: its start (UTC ticks) and the UTC offset of its events.</summary>
internal readonly record struct WindowKey(long StartUtcTicks, long OffsetTicks) : IComparable<WindowKey>
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

/// <summary>
/// A basket's summary as an open window holds it: a struct inside the window's list, so a buffered
/// basket costs no object of its own besides its id strings (a busy minute buffers hundreds of
/// thousands, and every object is work for each blocking collection); the contract row is made when sealed.
/// </summary>
internal readonly record struct BasketSummary(string Id, DateTimeOffset Ts, string LaneId, string Channel, string? CustomerId, int Lines, decimal Qty, decimal Amount)
{
    public BasketSummaryRow ToRow() => new(Id, Ts, LaneId, Channel, CustomerId, Lines, Qty, Amount);
}

/// <summary>
/// One copy of each of the few strings that repeat across events (lane and customer ids), shared by the
/// open windows instead of one string per buffered basket. Bounded: past its capacity, values are kept as given.
/// </summary>
internal sealed class StringPool(int capacity)
{
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);

    public string Intern(string value)
    {
        if (_values.TryGetValue(value, out var existing))
        {
            return existing;
        }
        if (_values.Count < capacity)
        {
            _values.Add(value);
        }
        return value;
    }
}

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

/// <summary>
/// One tumbling window's partial aggregates (ARCHITECTURE.md §5): items per (item, change type,
/// channel), one summary row per basket, weighings per (scale, item), snapshot rows passed through,
/// raw events when forwarded, and the journal tags of the events it holds. Once closed it is no
/// longer touched by the aggregator (a later event of the same key opens a new one), so its rows may
/// be built on another thread.
/// </summary>
internal sealed class Window(DateTimeOffset start, TimeSpan length, DateTimeOffset firstReceivedAt, bool late, StringPool strings)
{
    public DateTimeOffset Start { get; } = start;
    public TimeSpan Length { get; } = length;
    public DateTimeOffset FirstReceivedAt { get; set; } = firstReceivedAt;

    /// <summary>Opened again after it was sealed: it holds late partial rows.</summary>
    public bool Late { get; } = late;

    /// <summary>An upper estimate of its rows' bytes in a batch (<see cref="RowSize"/>).</summary>
    public int Bytes { get; private set; }

    public Dictionary<ItemKey, ItemAccumulator> Items { get; } = new(ItemKeyComparer.Instance);
    public ChunkedList<BasketSummary> Baskets { get; } = new();
    public Dictionary<WeighingKey, WeighingAccumulator> Weighings { get; } = new();
    public List<SnapshotRow> Snapshots { get; } = new();
    public List<string> Raw { get; } = new();
    public TagRuns Tags { get; } = new();

    public int RowCount => Items.Count + Baskets.Count + Weighings.Count + Snapshots.Count + Raw.Count;

    /// <summary>Adds an event's rows; <paramref name="stamp"/> is unique per event (distinct event counts per item row).</summary>
    public void Add(StoreEvent storeEvent, long stamp, long tag, string? raw)
    {
        Tags.Add(tag);
        if (raw is not null)
        {
            Raw.Add(raw);
            Bytes += RowSize.OfRaw(raw);
        }
        switch (storeEvent)
        {
            case BasketEvent basket:
                AddBasket(basket, stamp);
                break;
            case WeighingEvent weighing:
                var weighKey = new WeighingKey(weighing.ScaleId, weighing.ItemId);
                if (!Weighings.TryGetValue(weighKey, out var weigh))
                {
                    weigh = new WeighingAccumulator();
                    Weighings[weighKey] = weigh;
                    Bytes += RowSize.OfWeighing(weighing.ScaleId);
                }
                weigh.Count++;
                weigh.NetKg += weighing.NetKg;
                weigh.Amount += weighing.Amount;
                weigh.TareAnomalies += weighing.HasTareAnomaly ? 1 : 0;
                break;
            case InventoryChangeEvent change:
                foreach (var line in change.Lines)
                {
                    var item = ItemOf(new ItemKey(line.ItemId, change.ChangeType, null), stamp);
                    item.Qty += line.Qty;
                }
                break;
            case InventorySnapshotEvent snapshot:
                foreach (var count in snapshot.Counts)
                {
                    var row = new SnapshotRow(snapshot.Id, snapshot.Ts, count.ItemId, count.Qty, snapshot.EmployeeId);
                    Snapshots.Add(row);
                    Bytes += RowSize.Of(row);
                }
                break;
            default:
                throw new ArgumentException("unknown event type " + storeEvent.GetType().Name, nameof(storeEvent));
        }
    }

    public IEnumerable<ItemWindowRow> ItemRows()
    {
        foreach (var (key, item) in Items)
        {
            yield return new ItemWindowRow(Start, key.ItemId, key.ChangeType, key.Channel, item.Events, item.Qty, item.Amount, item.Discount);
        }
    }

    public IEnumerable<BasketSummaryRow> BasketRows()
    {
        foreach (var basket in Baskets)
        {
            yield return basket.ToRow();
        }
    }

    public IEnumerable<WeighingWindowRow> WeighingRows()
    {
        foreach (var (key, weigh) in Weighings)
        {
            yield return new WeighingWindowRow(Start, key.ScaleId, key.ItemId, weigh.Count, weigh.NetKg, weigh.Amount, weigh.TareAnomalies);
        }
    }

    private ItemAccumulator ItemOf(ItemKey key, long stamp, bool countsEvent = true)
    {
        ref var item = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Items, key, out var exists);
        if (!exists)
        {
            Bytes += RowSize.OfItem(key.ChangeType, key.Channel);
        }
        item ??= new ItemAccumulator();
        if (countsEvent && item.LastStamp != stamp)
        {
            // events counts distinct events: a basket with the same item on two lines counts once (§5).
            item.LastStamp = stamp;
            item.Events++;
        }
        return item;
    }

    private void AddBasket(BasketEvent basket, long stamp)
    {
        var qty = 0m;
        var amount = 0m;
        for (var i = 0; i < basket.Lines.Count; i++)
        {
            var line = basket.Lines[i];
            var changeType = ChangeTypes.ForBasketLine(basket.Channel, line.Qty);
            // a basket counts once per item (§5, the cloud's transactions per item): a sale and a return line of the
            // same item land in two rows, and only the row of the item's first line counts the basket
            var item = ItemOf(new ItemKey(line.ItemId, changeType, basket.Channel), stamp, countsEvent: !HasEarlierLineOf(basket.Lines, i));
            var lineAmount = line.Amount;
            item.Qty += line.Qty;
            item.Amount += lineAmount;
            item.Discount += line.Discount;
            qty += line.Qty;
            amount += lineAmount;
        }
        var customerId = basket.CustomerId is { } customer ? strings.Intern(customer) : null;
        Baskets.Add(new BasketSummary(basket.Id, basket.Ts, strings.Intern(basket.LaneId), basket.Channel, customerId, basket.Lines.Count, qty, amount));
        Bytes += RowSize.OfBasket(basket.Id, basket.LaneId, basket.Channel, customerId);
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
}
