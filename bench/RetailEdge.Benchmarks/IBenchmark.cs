namespace RetailEdge.Benchmarks;

/// <summary>
/// One benchmark: prints its figures and ratios to stdout. Found by reflection, so adding a
/// benchmark is adding a class. Run: dotnet run -c Release --project bench/RetailEdge.Benchmarks -- NAME [args].
/// </summary>
public interface IBenchmark
{
    /// <summary>The name given on the command line, e.g. "simulator".</summary>
    string Name { get; }

    string Description { get; }

    Task RunAsync(string[] args, CancellationToken cancellationToken);
}
