namespace RetailEdge.Simulator;

/// <summary>
/// Walker/Vose alias table: draws an index with probability proportional to its weight in O(1)
/// with one random number. Built once per distribution (item popularity, minute of day), so the
/// hot path never searches a cumulative array.
/// </summary>
internal sealed class AliasTable
{
    private readonly double[] _probability;
    private readonly int[] _alias;

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
        _probability = new double[n];
        _alias = new int[n];
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
            _probability[s] = scaled[s];
            _alias[s] = l;
            scaled[l] = scaled[l] + scaled[s] - 1.0;
            (scaled[l] < 1.0 ? small : large).Push(l);
        }
        while (large.Count > 0)
        {
            _probability[large.Pop()] = 1.0;
        }
        while (small.Count > 0)
        {
            _probability[small.Pop()] = 1.0;
        }
    }

    public int Count => _probability.Length;

    public int Sample(SimRandom random)
    {
        var u = random.NextDouble() * _probability.Length;
        var i = (int)u;
        if (i >= _probability.Length)
        {
            i = _probability.Length - 1;
        }
        return u - i < _probability[i] ? i : _alias[i];
    }
}
