using RetailEdge.StoreGateway.Core;

namespace RetailEdge.StoreGateway.Core.Tests;

public class EventIdIndexTests
{
    [Fact]
    public void HashOf_SameIdSameHashAcrossCalls_DifferentIdsDiffer_NeverZero()
    {
        Assert.Equal(EventIdIndex.HashOf("b-17-000042"), EventIdIndex.HashOf("b-17-000042"));
        Assert.NotEqual(EventIdIndex.HashOf("b-17-000042"), EventIdIndex.HashOf("b-17-000043"));
        Assert.NotEqual(EventIdIndex.HashOf("é"), EventIdIndex.HashOf("e"));
        Assert.NotEqual(0, EventIdIndex.HashOf(new string('x', 2_000)));
        // Persisted in the journal: the value must not change between runs or versions (xxHash3 of UTF-8, seed 0).
        Assert.Equal(unchecked((long)System.IO.Hashing.XxHash3.HashToUInt64("b-17-000042"u8)), EventIdIndex.HashOf("b-17-000042"));
    }

    [Fact]
    public void AddRemove_RandomOperationsWithCrowdedSlots_AlwaysAgreesWithADictionaryModel()
    {
        // Half the hashes end in the table's last 16 slots (whatever its size), so that probe runs are long,
        // wrap around its end and need the backward shift on removal; equal hashes with different tags stand for id collisions.
        var random = new Random(5);
        var index = new EventIdIndex();
        var model = new Dictionary<long, HashSet<long>>();
        var live = new List<(long Hash, long Tag)>();
        var candidates = new List<long>();
        long nextTag = 1;
        for (var step = 0; step < 20_000; step++)
        {
            if (live.Count == 0 || random.Next(100) < (step < 10_000 ? 70 : 30))
            {
                var hash = random.Next(4) switch
                {
                    0 when live.Count > 0 => live[random.Next(live.Count)].Hash,
                    1 or 2 => ((long)random.Next(1, int.MaxValue) << 16) | (uint)(0xFFF0 + random.Next(16)),
                    _ => random.NextInt64(1, long.MaxValue),
                };
                var tag = nextTag++;
                index.Add(hash, tag);
                live.Add((hash, tag));
                (model.TryGetValue(hash, out var tags) ? tags : model[hash] = []).Add(tag);
            }
            else
            {
                var at = random.Next(live.Count);
                var (hash, tag) = live[at];
                live[at] = live[^1];
                live.RemoveAt(live.Count - 1);
                Assert.True(index.Remove(hash, tag));
                model[hash].Remove(tag);
                Assert.False(index.Remove(hash, tag));
            }
            if (step % 97 == 0 && live.Count > 0)
            {
                var probe = live[random.Next(live.Count)].Hash;
                index.CandidatesFor(probe, candidates);
                Assert.Equal(model[probe].Order(), candidates.Order());
            }
        }
        Assert.Equal(live.Count, index.Count);
        foreach (var (hash, tags) in model)
        {
            index.CandidatesFor(hash, candidates);
            Assert.Equal(tags.Order(), candidates.Order());
        }
        index.CandidatesFor(EventIdIndex.HashOf("never added"), candidates);
        Assert.Empty(candidates);
    }

    [Fact]
    public void Remove_TableEmptied_GivesItsMemoryBack()
    {
        var index = new EventIdIndex();
        var hashes = Enumerable.Range(0, 100_000).Select(i => EventIdIndex.HashOf("id-" + i)).ToList();
        for (var i = 0; i < hashes.Count; i++)
        {
            index.Add(hashes[i], i + 1);
        }
        var full = index.Bytes;
        Assert.True(full >= 100_000 * 16 * 4 / 3, $"{full} bytes for 100,000 events");

        for (var i = 0; i < hashes.Count - 10; i++)
        {
            Assert.True(index.Remove(hashes[i], i + 1));
        }

        Assert.Equal(10, index.Count);
        Assert.True(index.Bytes < full / 32, $"{index.Bytes} of {full} bytes kept for 10 events");
        var candidates = new List<long>();
        index.CandidatesFor(hashes[^1], candidates);
        Assert.Equal([hashes.Count], candidates);
    }
}
