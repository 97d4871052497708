using RetailEdge.Aggregation;

namespace RetailEdge.Aggregation.Tests;

public sealed class ChunkedListTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(1_016)]
    [InlineData(200_000)]
    public void Add_AnyCount_EnumeratesEveryItemInOrder(int count)
    {
        var list = new ChunkedList<(long, decimal)>();
        for (var i = 0; i < count; i++)
        {
            list.Add((i, i * 1.5m));
        }

        Assert.Equal(count, list.Count);
        Assert.Equal(Enumerable.Range(0, count).Select(i => ((long)i, i * 1.5m)), list);
    }

    [Fact]
    public void Add_200000BasketSizedItems_NothingOnTheLargeObjectHeap()
    {
        var list = new ChunkedList<(string, DateTimeOffset, string, string, string?, int, decimal, decimal)>();
        GC.Collect();
        var largeBefore = LargeObjectHeapBytes();

        for (var i = 0; i < 200_000; i++)
        {
            list.Add(("b", DateTimeOffset.UnixEpoch, "L1", "store", null, 1, 1m, 1m));
        }
        GC.Collect();

        // Every chunk is alive (the list holds them): had any gone to the large object heap, it would be there.
        Assert.Equal(200_000, list.Count);
        var grown = LargeObjectHeapBytes() - largeBefore;
        Assert.True(grown < 85_000, $"the large object heap grew by {grown:N0} bytes");
        GC.KeepAlive(list);
    }

    private static long LargeObjectHeapBytes() => GC.GetGCMemoryInfo().GenerationInfo[3].SizeAfterBytes;
}
