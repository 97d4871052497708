namespace RetailEdge.Lakehouse.Tests;

/// <summary>Dependencies point from the hosts to the jobs: the jobs library knows no credential, hub client or blob client.</summary>
public sealed class LakehouseDependencyTests
{
    [Fact]
    public void JobsLibrary_ReferencesNoHubClientCredentialsOrBlobClient()
    {
        var references = typeof(LakehousePipeline).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain("RetailEdge.IotHubService", references);
        Assert.DoesNotContain("RetailEdge.Lakehouse.Hosting", references);
        Assert.DoesNotContain(references, name => name.StartsWith("Azure.", StringComparison.Ordinal));
    }

    [Fact]
    public void Hosting_ReferencesTheJobsLibrary()
    {
        var references = typeof(Hosting.LakeLocations).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("RetailEdge.Lakehouse", references);
    }
}
