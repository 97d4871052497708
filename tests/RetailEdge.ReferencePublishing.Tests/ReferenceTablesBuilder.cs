using RetailEdge.Contracts.Reference;

namespace RetailEdge.ReferencePublishing.Tests;

/// <summary>Reference tables for tests: stores 1..n on devices storeNNN-gw, items 100001.. with prices, an optional assortment.</summary>
internal sealed class ReferenceTablesBuilder
{
    private readonly List<StoreReference> _stores = [];
    private readonly List<ItemReference> _items = [];
    private List<AssortmentEntry>? _assortment;

    public ReferenceTablesBuilder WithStores(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            _stores.Add(new StoreReference(i, "Store " + i, "north", "Europe/Amsterdam", $"store{i:D3}-gw"));
        }
        return this;
    }

    public ReferenceTablesBuilder WithStore(StoreReference store)
    {
        _stores.Add(store);
        return this;
    }

    public ReferenceTablesBuilder WithItems(int count, decimal price = 1.99m)
    {
        for (var i = 1; i <= count; i++)
        {
            _items.Add(Item(100_000 + i, price + i / 100m));
        }
        return this;
    }

    public ReferenceTablesBuilder WithItem(ItemReference item)
    {
        _items.Add(item);
        return this;
    }

    public ReferenceTablesBuilder Carrying(int storeId, params long[] itemIds)
    {
        _assortment ??= [];
        _assortment.AddRange(itemIds.Select(id => new AssortmentEntry(storeId, id)));
        return this;
    }

    public ReferenceTables Build() => new([.. _stores], [.. _items], [new ChangeTypeReference(1, "delivery")], _assortment is null ? null : [.. _assortment]);

    public static ItemReference Item(long id, decimal price) => new(id, "Item " + id, "grocery", 7, 4m, "each", price, price / 2);
}
