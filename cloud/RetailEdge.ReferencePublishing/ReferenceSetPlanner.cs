using RetailEdge.Contracts.Reference;

namespace RetailEdge.ReferencePublishing;

/// <summary>
/// Computes each store's reference set from the reference tables: the prices, costs and safety stock
/// of the items the store carries (its assortment rows, or the whole catalogue when there is no
/// assortment table). The payload is <see cref="ReferenceDataCodec"/>'s deterministic encoding, so an
/// unchanged set has an unchanged version and its twin is not patched again.
/// Rows that cannot be used (a store without a device, an assortment row naming an unknown item) are
/// skipped and listed, never silently dropped.
/// </summary>
public static class ReferenceSetPlanner
{
    /// <param name="onlyStores">limit to these store ids (`--stores`); null for all</param>
    public static ReferenceSetPlan Plan(ReferenceTables tables, IReadOnlySet<int>? onlyStores = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var problems = new List<string>();
        var items = new Dictionary<long, ItemReference>();
        foreach (var item in tables.Items)
        {
            if (!items.TryAdd(item.ItemId, item))
            {
                problems.Add($"reference.item: item {item.ItemId} appears more than once; the first row is used");
            }
        }
        Dictionary<int, List<long>>? assortment = null;
        if (tables.Assortment is not null)
        {
            assortment = [];
            var unknown = new Dictionary<int, int>();
            foreach (var entry in tables.Assortment)
            {
                if (!items.ContainsKey(entry.ItemId))
                {
                    unknown[entry.StoreId] = unknown.GetValueOrDefault(entry.StoreId) + 1;
                    continue;
                }
                if (!assortment.TryGetValue(entry.StoreId, out var list))
                {
                    assortment[entry.StoreId] = list = [];
                }
                list.Add(entry.ItemId);
            }
            foreach (var (store, count) in unknown.OrderBy(p => p.Key))
            {
                problems.Add($"reference.assortment: store {store} lists {count} item(s) missing from reference.item; they are left out of its set");
            }
        }
        var sets = new List<StoreReferenceSet>();
        var seen = new HashSet<int>();
        foreach (var store in tables.Stores.OrderBy(s => s.StoreId))
        {
            if (onlyStores is not null && !onlyStores.Contains(store.StoreId))
            {
                continue;
            }
            if (!seen.Add(store.StoreId))
            {
                problems.Add($"reference.store: store {store.StoreId} appears more than once; the first row is used");
                continue;
            }
            if (string.IsNullOrWhiteSpace(store.DeviceId))
            {
                problems.Add($"reference.store: store {store.StoreId} has no device_id; nothing is published to it");
                continue;
            }
            IEnumerable<ItemReference> carried = assortment is null
                ? items.Values
                : (assortment.TryGetValue(store.StoreId, out var ids) ? ids.Distinct().Select(id => items[id]) : []);
            var set = new ReferenceDataSet(store.StoreId, [.. carried.Select(i => new ReferenceItem(i.ItemId, i.UnitPrice, i.UnitCost, i.SafetyStockQuantity))]);
            sets.Add(new StoreReferenceSet(store.StoreId, store.DeviceId, set.Items.Count, ReferenceDataCodec.Serialize(set)));
        }
        if (onlyStores is not null)
        {
            foreach (var missing in onlyStores.Where(s => !seen.Contains(s)).Order())
            {
                problems.Add($"--stores: store {missing} is not in reference.store");
            }
        }
        return new ReferenceSetPlan(sets, problems);
    }
}
