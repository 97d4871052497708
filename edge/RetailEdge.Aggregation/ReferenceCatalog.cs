using RetailEdge.Contracts.Reference;

namespace RetailEdge.Aggregation;

/// <summary>A store's reference set indexed by item, for the offline alert rules.</summary>
public sealed class ReferenceCatalog
{
    private readonly Dictionary<long, ReferenceItem> _items;

    public ReferenceCatalog(ReferenceDataSet set, string version)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(version);
        StoreId = set.StoreId;
        Version = version;
        _items = new Dictionary<long, ReferenceItem>(set.Items.Count);
        foreach (var item in set.Items)
        {
            _items[item.ItemId] = item;
        }
        KnownItems = _items.Keys.ToHashSet();
    }

    public int StoreId { get; }

    public string Version { get; }

    public int Count => _items.Count;

    public IReadOnlySet<long> KnownItems { get; }

    public bool TryGet(long itemId, out ReferenceItem item) => _items.TryGetValue(itemId, out item!);
}
