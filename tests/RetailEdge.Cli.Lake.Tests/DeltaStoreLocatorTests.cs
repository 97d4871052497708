using Azure;
using Azure.Storage.Blobs;
using RetailEdge.Delta.AzureBlob;
using RetailEdge.Lakehouse.Tests;
using RetailEdge.Testing;

namespace RetailEdge.Cli.Lake.Tests;

/// <summary>Which lake paths are blob tables, how ADLS Gen2 URLs map to the blob endpoint, and the Azure.Identity seam against Azurite over HTTPS.</summary>
public sealed class DeltaStoreLocatorTests
{
    private const string AcctConnectionString = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + AzuriteServer.AccountKey + ";EndpointSuffix=core.windows.net";

    private static readonly Dictionary<string, string?> Sas = new()
    {
        [DeltaStoreLocator.SasVariable] = "sv=2025-01-05&ss=b&srt=sco&sp=rl&se=2030-01-01T00%3A00%3A00Z&sig=SECRETSIG",
    };

    [Theory]
    [InlineData("abfss://lake@acct.dfs.core.windows.net/gold/sales", "https://acct.blob.core.windows.net/lake/gold/sales")]
    [InlineData("https://acct.dfs.core.windows.net/lake/gold/sales", "https://acct.blob.core.windows.net/lake/gold/sales")]
    [InlineData("https://acct.blob.core.windows.net/lake/gold/sales", "https://acct.blob.core.windows.net/lake/gold/sales")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/lake/gold/sales", "http://127.0.0.1:10000/devstoreaccount1/lake/gold/sales")]
    public void Open_AdlsGen2Url_TableOnTheBlobEndpoint(string location, string expected)
    {
        var store = DeltaStoreLocator.Open(location, Sas.GetValueOrDefault);

        Assert.IsType<BlobDeltaLogStore>(store);
        Assert.Equal(expected, store.Location);
    }

    [Theory]
    [InlineData("abfss://lake@acct.dfs.core.windows.net/gold/sales", null)]
    [InlineData("https://other.blob.core.windows.net/lake/gold/sales", "the storage connection string is for https://acct.blob.core.windows.net, the location https://other.blob.core.windows.net/lake/gold/sales is on https://other.blob.core.windows.net")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/lake/gold/sales", "the storage connection string is for https://acct.blob.core.windows.net")]
    public void Open_ConnectionString_OnlyForItsOwnAccountEndpoint(string location, string? expected)
    {
        var environment = new Dictionary<string, string?> { [DeltaStoreLocator.ConnectionStringVariable] = AcctConnectionString };
        if (expected is null)
        {
            Assert.Equal("https://acct.blob.core.windows.net/lake/gold/sales", DeltaStoreLocator.Open(location, environment.GetValueOrDefault).Location);
            return;
        }

        // a key for one account is never sent to another
        var error = Assert.Throws<ArgumentException>(() => DeltaStoreLocator.Open(location, environment.GetValueOrDefault));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteServer.AccountKey, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abfss://acct.dfs.core.windows.net/gold?sv=1&sig=SECRETSIG", "names the container before '@'")]
    [InlineData("abfss://lake@acct.dfs.core.windows.net?sig=SECRETSIG", null)]
    [InlineData("https://acct.dfs.core.windows.net/?sig=SECRETSIG", "names no container")]
    [InlineData("https://acct.dfs.core.windows.net/Not_A_Container/x?sig=SECRETSIG", "is not a valid container name")]
    public void Open_BadUrl_ClearErrorWithoutTheQuery(string location, string? expected)
    {
        if (expected is null)
        {
            // a container without a path is a valid (root) table location: the SAS in the URL is used, never shown
            Assert.Equal("https://acct.blob.core.windows.net/lake/", DeltaStoreLocator.Open(location, _ => null).Location);
            return;
        }

        var error = Assert.Throws<ArgumentException>(() => DeltaStoreLocator.Open(location, _ => null));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETSIG", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_NoSasOrConnectionString_UsesTheCredentialAgainstAzuriteOverHttps()
    {
        await using var azurite = await AzuriteServer.StartWithOAuthAsync();
        using var http = azurite.CreateTrustingHttpClient();
        var admin = new BlobServiceClient(azurite.ConnectionString, BlobClientFactory.ClientOptions(http));
        await admin.GetBlobContainerClient("lake").CreateIfNotExistsAsync();
        var credential = new TestTokenCredential();

        var store = DeltaStoreLocator.Open(azurite.BlobEndpoint + "/lake/gold/sales", _ => null, () => credential, http);

        Assert.True(await store.TryCreateAsync("_delta_log/00000000000000000000.json", "{}"u8.ToArray(), CancellationToken.None));
        // put-if-absent really reached the service: another writer's content for the same version is refused
        Assert.False(await store.TryCreateAsync("_delta_log/00000000000000000000.json", "{\"other\":1}"u8.ToArray(), CancellationToken.None));
        Assert.Equal("{}"u8.ToArray(), await store.ReadAsync("_delta_log/00000000000000000000.json", CancellationToken.None));
        Assert.NotEmpty(credential.Scopes);
        Assert.All(credential.Scopes, s => Assert.Equal("https://storage.azure.com/.default", s));

        // a token for another audience is refused by Azurite: the bearer path is what authorised the writes above
        var refused = DeltaStoreLocator.Open(azurite.BlobEndpoint + "/lake/gold/sales", _ => null,
            () => new TestTokenCredential(audience: "https://iothubs.azure.net"), http);
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => refused.ReadAsync("_delta_log/00000000000000000000.json", CancellationToken.None));
        Assert.Equal(403, error.Status);
        Assert.DoesNotContain(TestTokenCredential.Marker, error.Message, StringComparison.Ordinal);
    }
}
