using System.Reflection;

namespace RetailEdge.Benchmarks;

internal static class BenchmarkRunner
{
    public static async Task<int> RunAsync(string[] args)
    {
        var benchmarks = typeof(BenchmarkRunner).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(IBenchmark).IsAssignableFrom(t))
            .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine("usage: RetailEdge.Benchmarks <name> [args]");
            foreach (var b in benchmarks)
            {
                Console.WriteLine($"  {b.Name,-24} {b.Description}");
            }
            return args.Length == 0 ? 2 : 0;
        }
        var benchmark = benchmarks.FirstOrDefault(b => b.Name == args[0]);
        if (benchmark is null)
        {
            await Console.Error.WriteLineAsync($"unknown benchmark '{args[0]}'").ConfigureAwait(false);
            return 2;
        }
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        await benchmark.RunAsync(args[1..], cts.Token).ConfigureAwait(false);
        return 0;
    }
}
