using System.Collections;

namespace RetailEdge.Aggregation;

/// <summary>
/// Journal tags as runs of consecutive values. A window at 5,000 events/s takes 300,000 tags a minute,
/// nearly all consecutive (one writer numbers them in order): as a list of longs that is 2.4 MB, grown
/// by doubling on the large object heap and copied and sorted again at every seal, each large array
/// bringing a blocking full collection nearer. As runs it is a few entries. Enumerates in the order
/// added; <see cref="Merge"/> gives the ascending, coalesced runs the journal marks sealed.
/// </summary>
public sealed class TagRuns : IReadOnlyList<long>
{
    private readonly List<(long First, long Last)> _runs;

    public TagRuns() => _runs = [];

    private TagRuns(List<(long First, long Last)> runs, int count)
    {
        _runs = runs;
        Count = count;
    }

    public static TagRuns Empty { get; } = new();

    public int Count { get; private set; }

    /// <summary>The runs, each from its first to its last tag inclusive.</summary>
    public IReadOnlyList<(long First, long Last)> Runs => _runs;

    public long this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            foreach (var (first, last) in _runs)
            {
                var length = last - first + 1;
                if (index < length)
                {
                    return first + index;
                }
                index -= (int)length;
            }
            throw new InvalidOperationException("the runs hold fewer tags than counted");
        }
    }

    public void Add(long tag)
    {
        if (_runs.Count > 0 && _runs[^1].Last + 1 == tag)
        {
            _runs[^1] = (_runs[^1].First, tag);
        }
        else
        {
            _runs.Add((tag, tag));
        }
        Count++;
    }

    /// <summary>The tags of all <paramref name="parts"/> (each tag in one part only) as ascending runs, adjacent runs joined.</summary>
    public static TagRuns Merge(IEnumerable<TagRuns> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts is IReadOnlyList<TagRuns> { Count: 1 } single && single[0].IsMerged())
        {
            // Already ascending and joined (a seal's tags, handed to the journal): nothing to copy or sort.
            return single[0];
        }
        var all = new List<(long First, long Last)>();
        var count = 0;
        foreach (var part in parts)
        {
            all.AddRange(part._runs);
            count += part.Count;
        }
        all.Sort(static (a, b) => a.First.CompareTo(b.First));
        var merged = new List<(long First, long Last)>(all.Count);
        foreach (var run in all)
        {
            if (merged.Count > 0 && run.First <= merged[^1].Last + 1)
            {
                merged[^1] = (merged[^1].First, Math.Max(merged[^1].Last, run.Last));
            }
            else
            {
                merged.Add(run);
            }
        }
        return new TagRuns(merged, count);
    }

    /// <summary>Whether every run starts past the end of the one before plus one (no overlap, nothing left to join).</summary>
    private bool IsMerged()
    {
        for (var i = 1; i < _runs.Count; i++)
        {
            if (_runs[i].First <= _runs[i - 1].Last + 1)
            {
                return false;
            }
        }
        return true;
    }

    public IEnumerator<long> GetEnumerator()
    {
        foreach (var (first, last) in _runs)
        {
            for (var tag = first; tag <= last; tag++)
            {
                yield return tag;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
