namespace RetailEdge.Simulator;

/// <summary>
/// Counts of injected faults per kind (<see cref="FaultKinds"/>), updated as events are generated:
/// read it while or after enumerating <see cref="StoreSimulator.Generate"/>. Not thread-safe; read it
/// from the enumerating thread.
/// </summary>
public sealed class FaultSummary
{
    private readonly long[] _counts = new long[FaultKinds.All.Count];

    /// <summary>Injected faults of a kind so far.</summary>
    public long this[string kind] => _counts[IndexOf(kind)];

    public long Total
    {
        get
        {
            var total = 0L;
            foreach (var count in _counts)
            {
                total += count;
            }
            return total;
        }
    }

    /// <summary>A copy of the counts, every kind present (zero when none was injected).</summary>
    public IReadOnlyDictionary<string, long> ToDictionary()
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < _counts.Length; i++)
        {
            result[FaultKinds.All[i]] = _counts[i];
        }
        return result;
    }

    internal void Add(string kind) => _counts[IndexOf(kind)]++;

    internal void Reset() => Array.Clear(_counts);

    private static int IndexOf(string kind)
    {
        for (var i = 0; i < FaultKinds.All.Count; i++)
        {
            if (FaultKinds.All[i] == kind)
            {
                return i;
            }
        }
        throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown fault kind");
    }
}
