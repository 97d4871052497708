using System.Xml.Linq;
using RetailEdge.Testing;

namespace RetailEdge.Deployment.Tests;

/// <summary>The deployment core stays pure (STYLE.md rule 3): no package, only the contracts.</summary>
public class PurityTests
{
    [Fact]
    public void DeploymentProject_ReferencesOnlyTheContracts()
    {
        var project = XDocument.Load(Path.Combine(RepoPaths.Root, "cloud", "RetailEdge.Deployment", "RetailEdge.Deployment.csproj"));

        Assert.Empty(project.Descendants("PackageReference"));
        Assert.Empty(project.Descendants("FrameworkReference"));
        Assert.Equal(["../../shared/RetailEdge.Contracts/RetailEdge.Contracts.csproj"], project.Descendants("ProjectReference").Select(r => (string?)r.Attribute("Include")));
    }
}
