namespace RetailEdge.Delta.Tests;

public sealed class DeltaCorePurityTests
{
    [Fact]
    public void CoreAssembly_ReferencesOnlyTheBaseLibrary()
    {
        var references = typeof(DeltaSnapshot).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.All(references, name => Assert.True(name.StartsWith("System", StringComparison.Ordinal) || name == "netstandard",
            $"the pure Delta core references {name}"));
    }
}
