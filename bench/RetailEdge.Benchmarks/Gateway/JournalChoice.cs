using RetailEdge.StoreGateway.Core;

namespace RetailEdge.Benchmarks.Gateway;

/// <summary>The gateway benchmarks' <c>--journal sqlite|litedb</c> switch (default sqlite): which store the engine journals to.</summary>
internal static class JournalChoice
{
    public static JournalKind Kind { get; private set; } = JournalKind.Sqlite;

    /// <summary>Takes <c>--journal KIND</c> out of the arguments (anywhere in them) and returns the rest.</summary>
    public static string[] Take(string[] args)
    {
        var index = Array.IndexOf(args, "--journal");
        if (index < 0)
        {
            return args;
        }
        if (index + 1 >= args.Length || !GatewayJournals.TryParse(args[index + 1], out var kind))
        {
            throw new ArgumentException("--journal takes sqlite or litedb");
        }
        Kind = kind;
        Console.WriteLine($"journal: {kind}");
        return [.. args[..index], .. args[(index + 2)..]];
    }
}
