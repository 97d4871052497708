namespace RetailEdge.Mqtt.Tests;

/// <summary>Golden packets from TestData/spec-vectors.txt, assembled by hand from the OASIS MQTT 3.1.1 figures.</summary>
internal static class SpecVectors
{
    private static readonly Lazy<Dictionary<string, byte[]>> All = new(Load);

    public static byte[] Get(string name) => All.Value[name];

    public static IEnumerable<string> Names => All.Value.Keys;

    private static Dictionary<string, byte[]> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "spec-vectors.txt");
        return File.ReadLines(path)
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line.Split(' ', 2))
            .ToDictionary(parts => parts[0], parts => Convert.FromHexString(parts[1]), StringComparer.Ordinal);
    }
}
