using System.Collections.Concurrent;

namespace RetailEdge.Lakehouse;

/// <summary>The transforms' SQL, embedded from Gold/Sql/*.sql.</summary>
public static class SqlScripts
{
    private static readonly ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);

    public static string Get(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return Cache.GetOrAdd(name, static n =>
        {
            using var stream = typeof(SqlScripts).Assembly.GetManifestResourceStream("RetailEdge.Lakehouse.Sql." + n)
                ?? throw new ArgumentException($"no embedded SQL script {n}", nameof(name));
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        });
    }
}
