namespace RetailEdge.IotHub.Credentials.Tests;

/// <summary>The credentials project stays pure: the service client relies on it not pulling in any transport.</summary>
public sealed class CredentialsPurityTests
{
    [Fact]
    public void Assembly_ReferencesOnlyTheBaseLibrary()
    {
        var references = typeof(SharedAccessSignature).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.All(references, name => Assert.True(name.StartsWith("System", StringComparison.Ordinal) || name == "netstandard",
            $"RetailEdge.IotHub.Credentials references {name}"));
    }

    [Fact]
    public void ServiceClient_DoesNotReferenceTheDeviceTransport()
    {
        var references = typeof(RetailEdge.IotHubService.IotHubServiceClient).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("RetailEdge.IotHub.Credentials", references);
        Assert.DoesNotContain("RetailEdge.IotHub", references);
        Assert.DoesNotContain(references, name => name.Contains("Mqtt", StringComparison.OrdinalIgnoreCase));
    }
}
