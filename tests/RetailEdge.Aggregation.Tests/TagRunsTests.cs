using RetailEdge.Aggregation;

namespace RetailEdge.Aggregation.Tests;

public sealed class TagRunsTests
{
    [Fact]
    public void Add_ConsecutiveTags_OneRunPerGapAndEveryTagBackInOrder()
    {
        var tags = new TagRuns();
        long[] added = [5, 6, 7, 9, 10, 3, 4, 12];
        foreach (var tag in added)
        {
            tags.Add(tag);
        }

        Assert.Equal(added.Length, tags.Count);
        Assert.Equal(added, tags);
        Assert.Equal(added, Enumerable.Range(0, tags.Count).Select(i => tags[i]));
        Assert.Equal([(5L, 7L), (9L, 10L), (3L, 4L), (12L, 12L)], tags.Runs);
        Assert.Throws<ArgumentOutOfRangeException>(() => tags[added.Length]);
    }

    [Fact]
    public void Merge_WindowsTakingTurns_AscendingRunsWithNeighboursJoined()
    {
        // Two windows filled side by side (on-time and late events interleaved), 300,000 tags in all.
        var onTime = new TagRuns();
        var late = new TagRuns();
        for (long tag = 1; tag <= 300_000; tag++)
        {
            (tag % 1_000 == 0 ? late : onTime).Add(tag);
        }

        var merged = TagRuns.Merge([late, onTime]);

        Assert.Equal(300_000, merged.Count);
        Assert.Equal([(1L, 300_000L)], merged.Runs);
        Assert.Equal(Enumerable.Range(1, 300_000).Select(i => (long)i), merged);
        Assert.Equal(300, onTime.Runs.Count);
        Assert.Empty(TagRuns.Merge([]).Runs);
        // Merged runs merged again are the same runs; runs added out of order are sorted and joined.
        Assert.Same(merged, TagRuns.Merge([merged]));
        var unordered = new TagRuns();
        foreach (var tag in new long[] { 7, 8, 1, 2, 3, 9 })
        {
            unordered.Add(tag);
        }
        Assert.Equal([(1L, 3L), (7L, 9L)], TagRuns.Merge([unordered]).Runs);
    }
}
