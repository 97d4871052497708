using System.Xml.Linq;

namespace RetailEdge.Contracts.Tests;

/// <summary>Pure projects stay pure: no package references, no I/O projects (STYLE.md rule 3).</summary>
public class PurityTests
{
    [Fact]
    public void ContractsProject_ReferencesNoPackagesOrProjects()
    {
        var project = XDocument.Load(Path.Combine(RetailEdge.Testing.RepoPaths.Root, "shared", "RetailEdge.Contracts", "RetailEdge.Contracts.csproj"));

        Assert.Empty(project.Descendants("PackageReference"));
        Assert.Empty(project.Descendants("ProjectReference"));
        Assert.Empty(project.Descendants("FrameworkReference"));
    }
}
