using System.Xml.Linq;

namespace RetailEdge.ReferencePublishing.Tests;

/// <summary>The publisher's core stays pure: only the contracts, no package (STYLE.md rule 3).</summary>
public class PurityTests
{
    [Fact]
    public void ReferencePublishingProject_ReferencesOnlyTheContracts()
    {
        var project = XDocument.Load(Path.Combine(RetailEdge.Testing.RepoPaths.Root, "cloud", "RetailEdge.ReferencePublishing", "RetailEdge.ReferencePublishing.csproj"));

        Assert.Empty(project.Descendants("PackageReference"));
        Assert.Empty(project.Descendants("FrameworkReference"));
        Assert.Equal(["../../shared/RetailEdge.Contracts/RetailEdge.Contracts.csproj"], project.Descendants("ProjectReference").Select(r => r.Attribute("Include")!.Value));
    }
}
