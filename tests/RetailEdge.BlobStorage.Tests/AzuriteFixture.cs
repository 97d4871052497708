using RetailEdge.Testing;

namespace RetailEdge.BlobStorage.Tests;

/// <summary>One real Azurite for all tests of a class; each test uses its own container.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public AzuriteServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await AzuriteServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public BlobStorageClientOptions SharedKeyOptions() => new()
    {
        ServiceUri = Server.BlobEndpoint,
        SharedKey = new BlobSharedKeyCredential(AzuriteServer.AccountName, AzuriteServer.AccountKey),
        MaxRetries = 1,
        RetryDelay = TimeSpan.FromMilliseconds(20),
    };

    public static string NewContainerName() => "c" + Guid.NewGuid().ToString("N")[..20];
}
