using RetailEdge.Contracts.Reference;

namespace RetailEdge.ReferencePublishing.Tests;

public class ReferenceSetPlannerTests
{
    [Fact]
    public void Plan_WithAssortment_EachStoreGetsOnlyTheItemsItCarries()
    {
        var tables = new ReferenceTablesBuilder().WithStores(2).WithItems(3).Carrying(1, 100_001, 100_002).Carrying(2, 100_003).Build();

        var plan = ReferenceSetPlanner.Plan(tables);

        Assert.Empty(plan.Problems);
        Assert.Equal([1, 2], plan.Sets.Select(s => s.StoreId));
        Assert.Equal("store001-gw", plan.Sets[0].DeviceId);
        Assert.Equal([100_001L, 100_002L], ReferenceDataCodec.Deserialize(plan.Sets[0].Payload).Items.Select(i => i.ItemId));
        var store2 = ReferenceDataCodec.Deserialize(plan.Sets[1].Payload);
        Assert.Equal(2, store2.StoreId);
        Assert.Equal(new ReferenceItem(100_003, 2.02m, 1.01m, 4m), Assert.Single(store2.Items));
    }

    [Fact]
    public void Plan_WithoutAssortment_EveryStoreGetsTheWholeCatalogue()
    {
        var plan = ReferenceSetPlanner.Plan(new ReferenceTablesBuilder().WithStores(2).WithItems(5).Build());

        Assert.All(plan.Sets, s => Assert.Equal(5, s.Items));
        Assert.Equal(plan.Sets[0].Sha256, ReferenceDataCodec.Sha256Hex(plan.Sets[0].Payload));
    }

    [Fact]
    public void Plan_SameTablesInOtherOrder_SameVersions()
    {
        var a = new ReferenceTablesBuilder().WithStores(1).WithItem(ReferenceTablesBuilder.Item(2, 3m)).WithItem(ReferenceTablesBuilder.Item(1, 2m)).Carrying(1, 2, 1).Build();
        var b = new ReferenceTablesBuilder().WithStores(1).WithItem(ReferenceTablesBuilder.Item(1, 2m)).WithItem(ReferenceTablesBuilder.Item(2, 3m)).Carrying(1, 1, 2).Build();

        Assert.Equal(ReferenceSetPlanner.Plan(a).Sets[0].Version, ReferenceSetPlanner.Plan(b).Sets[0].Version);
    }

    [Fact]
    public void Plan_OnePriceChanged_OnlyTheStoresCarryingItGetANewVersion()
    {
        var before = new ReferenceTablesBuilder().WithStores(3).WithItem(ReferenceTablesBuilder.Item(1, 2m)).WithItem(ReferenceTablesBuilder.Item(2, 3m))
            .Carrying(1, 1, 2).Carrying(2, 2).Carrying(3, 1).Build();
        var after = before with { Items = [ReferenceTablesBuilder.Item(1, 2.5m), ReferenceTablesBuilder.Item(2, 3m)] };

        var old = ReferenceSetPlanner.Plan(before).Sets;
        var changed = ReferenceSetPlanner.Plan(after).Sets;

        Assert.Equal([1, 3], changed.Where((s, i) => s.Version != old[i].Version).Select(s => s.StoreId));
    }

    [Fact]
    public void Plan_UnusableRows_SkippedAndListed()
    {
        var tables = new ReferenceTablesBuilder().WithStores(1).WithStore(new StoreReference(9, "No device", "x", "UTC", ""))
            .WithItems(1).Carrying(1, 100_001, 555).Build();

        var plan = ReferenceSetPlanner.Plan(tables, new HashSet<int> { 1, 9, 42 });

        Assert.Equal([1], plan.Sets.Select(s => s.StoreId));
        Assert.Equal(1, plan.Sets[0].Items);
        Assert.Contains(plan.Problems, p => p.Contains("store 1 lists 1 item(s) missing", StringComparison.Ordinal));
        Assert.Contains(plan.Problems, p => p.Contains("store 9 has no device_id", StringComparison.Ordinal));
        Assert.Contains(plan.Problems, p => p.Contains("store 42 is not in reference.store", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_EightThousandItems_TooLargeForTheTwinAndGoesByUrl()
    {
        var plan = ReferenceSetPlanner.Plan(new ReferenceTablesBuilder().WithStores(1).WithItems(8000).Build());

        Assert.False(plan.Sets[0].FitsInline);
        Assert.Equal(8000, ReferenceDataCodec.Deserialize(plan.Sets[0].Payload).Items.Count);
    }
}
