using Azure.Storage.Blobs;
using RetailEdge.Testing;

namespace RetailEdge.Delta.Tests.Blob;

/// <summary>One real Azurite for the blob tests of a class; each test uses its own container.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public AzuriteServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await AzuriteServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A new, created container (account key from the fixture's connection string).</summary>
    public async Task<BlobContainerClient> NewContainerAsync()
    {
        var container = new BlobContainerClient(Server.ConnectionString, "c" + Guid.NewGuid().ToString("N")[..20]);
        await container.CreateAsync();
        return container;
    }
}
