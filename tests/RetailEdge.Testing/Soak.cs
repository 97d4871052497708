namespace RetailEdge.Testing;

/// <summary>
/// Fault tests (<c>[Trait("Category", "Fault")]</c>) run in a bounded form in the test script and
/// scaled up when <c>RETAILEDGE_SOAK=1</c> is set (<c>scripts/soak.sh</c>).
/// </summary>
public static class Soak
{
    public const string Variable = "RETAILEDGE_SOAK";

    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary><paramref name="bounded"/> normally, <paramref name="soak"/> in the long form.</summary>
    public static int Scale(int bounded, int soak) => Enabled ? soak : bounded;
}
