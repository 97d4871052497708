namespace RetailEdge.Benchmarks;

/// <summary>Helpers the network benchmarks share.</summary>
internal static class BenchSupport
{
    /// <summary>The p-th percentile (0..1) of an ascending array, nearest-rank.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1))];
}
