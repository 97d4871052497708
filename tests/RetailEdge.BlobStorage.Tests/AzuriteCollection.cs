namespace RetailEdge.BlobStorage.Tests;

/// <summary>Test classes in this collection share one Azurite process (start-up is the slow part).</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}
