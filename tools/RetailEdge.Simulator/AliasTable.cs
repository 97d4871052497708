namespace RetailEdge.Simulator;

/// <summary>
/// Walker/Vose alias table: draws an index with probability proportional to its weight in O(1)
/// with one random number. Built once per distribution (item popularity, minute of day), so the
/// hot path never searches a cumulative array.
/// </summary>
internal sealed class AliasTable
{
    // probability and alias side by side: one cache line per draw
    private readonly Entry[] _entries;

    public AliasTable(ReadOnlySpan<double> weights)
    {
        var n = weights.Length;
        if (n == 0)
        {
            throw new ArgumentException("at least one weight is needed", nameof(weights));
        }
        var total = 0.0;
        foreach (var w in weights)
        {
            if (w < 0 || double.IsNaN(w))
            {
                throw new ArgumentException("weights must be non-negative", nameof(weights));
            }
            total += w;
        }
        if (total <= 0)
        {
            throw new ArgumentException("weights must not all be zero", nameof(weights));
        }
        _entries = new Entry[n];
        var scaled = new double[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (var i = 0; i < n; i++)
        {
            scaled[i] = weights[i] * n / total;
            (scaled[i] < 1.0 ? small : large).Push(i);
        }
        while (small.Count > 0 && large.Count > 0)
        {
            var s = small.Pop();
            var l = large.Pop();
            _entries[s] = new Entry(scaled[s], l);
            scaled[l] = scaled[l] + scaled[s] - 1.0;
            (scaled[l] < 1.0 ? small : large).Push(l);
        }
        while (large.Count > 0)
        {
            var i = large.Pop();
            _entries[i] = new Entry(1.0, i);
        }
        while (small.Count > 0)
        {
            var i = small.Pop();
            _entries[i] = new Entry(1.0, i);
        }
    }

    public int Count => _entries.Length;

    public int Sample(SimRandom random)
    {
        var u = random.NextDouble() * _entries.Length;
        var i = (int)u;
        if (i >= _entries.Length)
        {
            i = _entries.Length - 1;
        }
        var entry = _entries[i];
        return u - i < entry.Probability ? i : entry.Alias;
    }

    private readonly record struct Entry(double Probability, int Alias);
}
