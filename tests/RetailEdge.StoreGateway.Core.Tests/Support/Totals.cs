using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.StoreGateway.Testing;

/// <summary>Independent sums straight from events, to compare with what the gateway's batches say.</summary>
internal static class Totals
{
    public static SortedDictionary<(long Item, string ChangeType, DateOnly Date), (decimal Qty, decimal Amount)> FromEvents(IEnumerable<StoreEvent> events)
    {
        var totals = new SortedDictionary<(long, string, DateOnly), (decimal, decimal)>();
        void Add((long, string, DateOnly) key, decimal qty, decimal amount)
        {
            var (q, a) = totals.GetValueOrDefault(key);
            totals[key] = (q + qty, a + amount);
        }
        foreach (var e in events)
        {
            switch (e)
            {
                case BasketEvent b:
                    foreach (var line in b.Lines)
                    {
                        Add((line.ItemId, ChangeTypes.ForBasketLine(b.Channel, line.Qty), b.LocalDate), line.Qty, Money.LineAmount(line.Qty, line.UnitPrice, line.Discount));
                    }
                    break;
                case InventoryChangeEvent c:
                    foreach (var line in c.Lines)
                    {
                        Add((line.ItemId, c.ChangeType, c.LocalDate), line.Qty, 0m);
                    }
                    break;
                default:
                    break;
            }
        }
        return totals;
    }

    public static SortedDictionary<(long Item, string ChangeType, DateOnly Date), (decimal Qty, decimal Amount)> FromBatches(IEnumerable<TelemetryBatch> batches)
    {
        var totals = new SortedDictionary<(long, string, DateOnly), (decimal, decimal)>();
        foreach (var row in batches.SelectMany(b => b.Items))
        {
            var key = (row.ItemId, row.ChangeType, DateOnly.FromDateTime(row.WindowStart.DateTime));
            var (q, a) = totals.GetValueOrDefault(key);
            totals[key] = (q + row.Qty, a + row.Amount);
        }
        return totals;
    }

    /// <summary>Latest count + Σ stock effects with ts ≥ count time (all when never counted), per item.</summary>
    public static Dictionary<long, decimal> ExpectedInventory(IEnumerable<StoreEvent> events)
    {
        var list = events.ToList();
        var latestCount = new Dictionary<long, (DateTimeOffset Ts, decimal Qty)>();
        foreach (var s in list.OfType<InventorySnapshotEvent>())
        {
            foreach (var c in s.Counts)
            {
                if (!latestCount.TryGetValue(c.ItemId, out var existing) || s.Ts > existing.Ts)
                {
                    latestCount[c.ItemId] = (s.Ts, c.Qty);
                }
            }
        }
        var positions = latestCount.ToDictionary(p => p.Key, p => p.Value.Qty);
        void Change(long item, DateTimeOffset ts, decimal effect)
        {
            if (latestCount.TryGetValue(item, out var count) && ts < count.Ts)
            {
                return;
            }
            positions[item] = positions.GetValueOrDefault(item) + effect;
        }
        foreach (var e in list)
        {
            switch (e)
            {
                case BasketEvent b:
                    foreach (var line in b.Lines)
                    {
                        Change(line.ItemId, b.Ts, ChangeTypes.StockEffectOfBasketLine(line.Qty));
                    }
                    break;
                case InventoryChangeEvent c:
                    foreach (var line in c.Lines)
                    {
                        Change(line.ItemId, c.Ts, ChangeTypes.StockEffectOfChangeLine(c.ChangeType, line.Qty));
                    }
                    break;
                default:
                    break;
            }
        }
        return positions;
    }

    /// <summary>The newest inventory row per item: highest (asOf, seq), as the cloud keeps it.</summary>
    public static Dictionary<long, decimal> LastInventoryRows(IEnumerable<TelemetryBatch> batches) =>
        batches.SelectMany(b => b.Inventory.Select(r => (b.Seq, Row: r)))
            .GroupBy(x => x.Row.ItemId)
            .ToDictionary(g => g.Key, g => g.OrderBy(x => x.Row.AsOf).ThenBy(x => x.Seq).Last().Row.Position);
}
