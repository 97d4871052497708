namespace RetailEdge.Delta.Tests;

/// <summary>Local-disk code references no storage client: the blob side of Delta lives in RetailEdge.Delta.AzureBlob.</summary>
public sealed class DeltaStorageDependencyTests
{
    [Fact]
    public void DeltaStorage_ReferencesNoAzurePackage()
    {
        var references = typeof(Storage.LocalDeltaLogStore).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(references, name => name.StartsWith("Azure", StringComparison.Ordinal));
        Assert.Contains("RetailEdge.LocalFiles", references);
    }

    [Fact]
    public void AzureBlob_UsesTheSdk()
    {
        var references = typeof(AzureBlob.BlobDeltaLogStore).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("Azure.Storage.Blobs", references);
    }
}
