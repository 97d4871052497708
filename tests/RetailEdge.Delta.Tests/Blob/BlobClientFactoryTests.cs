using System.Net;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using RetailEdge.Delta.AzureBlob;
using RetailEdge.Testing;

namespace RetailEdge.Delta.Tests.Blob;

/// <summary>
/// How blob clients are made from configuration: the storage connection-string forms (account key,
/// BlobEndpoint, SAS, UseDevelopmentStorage), SAS and Shared Key against a real Azurite, and the
/// SDK retry settings against a scripted server on 127.0.0.1 (Azurite cannot fail on demand).
/// </summary>
public sealed class BlobClientFactoryTests : IClassFixture<AzuriteFixture>
{
    private const string Key = AzuriteServer.AccountKey;
    private const string Commit = "_delta_log/00000000000000000000.json";
    private readonly AzuriteFixture _azurite;

    public BlobClientFactoryTests(AzuriteFixture azurite)
    {
        _azurite = azurite;
    }

    [Theory]
    [InlineData("UseDevelopmentStorage=true", "http://127.0.0.1:10000/devstoreaccount1/lake/t", "http://127.0.0.1:10000/devstoreaccount1/lake")]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=retailedge;AccountKey=" + Key + ";EndpointSuffix=core.chinacloudapi.cn",
        "abfss://lake@retailedge.dfs.core.chinacloudapi.cn/t", "https://retailedge.blob.core.chinacloudapi.cn/lake")]
    [InlineData("AccountName=acct;AccountKey=" + Key, "https://acct.blob.core.windows.net/lake/t", "https://acct.blob.core.windows.net/lake")]
    [InlineData("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + Key + ";BlobEndpoint=http://127.0.0.1:54321/devstoreaccount1;",
        "http://127.0.0.1:54321/devstoreaccount1/lake/t", "http://127.0.0.1:54321/devstoreaccount1/lake")]
    [InlineData("BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2020-08-04&ss=b&sig=a%2Bb%3D",
        "https://acct.blob.core.windows.net/lake/t", "https://acct.blob.core.windows.net/lake")]
    public void WithConnectionString_EveryForm_ContainerOnTheLocationsEndpoint(string connectionString, string location, string container)
    {
        var client = BlobClientFactory.WithConnectionString(BlobUri.Parse(location), connectionString);

        Assert.Equal(new Uri(container), new Uri(client.Uri.GetLeftPart(UriPartial.Path)));
        Assert.Equal(container + "/t", new BlobDeltaLogStore(client, "t").Location);
    }

    [Theory]
    [InlineData("AccountName=acct;Key=c2VjcmV0LXZhbHVl", "not a valid storage connection string")]
    [InlineData("garbage", "not a valid storage connection string")]
    [InlineData("AccountName=acct;AccountKey=c2VjcmV0LXZhbHVl;DefaultEndpointsProtocol=ftp", "not a valid storage connection string")]
    [InlineData("AccountName=other;AccountKey=c2VjcmV0LXZhbHVl", "the storage connection string is for https://other.blob.core.windows.net, the location")]
    public void WithConnectionString_InvalidOrOtherAccount_RefusedWithoutEchoingIt(string connectionString, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => BlobClientFactory.WithConnectionString(BlobUri.Parse("https://acct.blob.core.windows.net/lake"), connectionString));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0LXZhbHVl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithTokenCredential_PlainHttp_RefusedBeforeATokenIsSent()
    {
        var credential = new Azure.Identity.ClientSecretCredential("00000000-0000-0000-0000-000000000000", "11111111-1111-1111-1111-111111111111", "not-a-secret");

        Assert.ThrowsAny<ArgumentException>(() => BlobClientFactory.WithTokenCredential(BlobUri.Parse("http://acct.blob.core.windows.net/lake"), credential));
    }

    [Fact]
    public async Task WithSas_AccountSasFromTheSdk_WritesAndReadsAndATamperedSasIsRefusedWithoutEcho()
    {
        var container = await _azurite.NewContainerAsync();
        var sas = new BlobServiceClient(_azurite.Server.ConnectionString)
            .GenerateAccountSasUri(AccountSasPermissions.Read | AccountSasPermissions.Write | AccountSasPermissions.List, DateTimeOffset.UtcNow.AddHours(1), AccountSasResourceTypes.All)
            .Query;
        // a SAS in the table URL, as `retailedge lake` accepts it
        var store = DeltaStoreLocator.Open($"{_azurite.Server.BlobEndpoint}/{container.Name}/t{sas}", _ => null);

        Assert.True(await store.TryCreateAsync(Commit, "{}"u8.ToArray(), CancellationToken.None));
        Assert.Equal("{}"u8.ToArray(), await store.ReadAsync(Commit, CancellationToken.None));
        Assert.Single(await store.ListAsync("_delta_log/", CancellationToken.None));
        Assert.DoesNotContain("sig=", store.Location, StringComparison.Ordinal);

        var tampered = BlobClientFactory.WithSas(BlobUri.Parse($"{_azurite.Server.BlobEndpoint}/{container.Name}"), sas.Replace("sp=rwl", "sp=rwdl", StringComparison.Ordinal));
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => new BlobDeltaLogStore(tampered, "t").ReadAsync(Commit, CancellationToken.None));
        Assert.Equal(403, error.Status);
        Assert.DoesNotContain("sig=", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SharedKey_WrongKey_Is403AndTheKeyNeverInTheMessage()
    {
        var container = await _azurite.NewContainerAsync();
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var client = new BlobContainerClient(container.Uri, new StorageSharedKeyCredential(AzuriteServer.AccountName, wrongKey), BlobClientFactory.ClientOptions());

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => new BlobDeltaLogStore(client, "t").ReadAsync(Commit, CancellationToken.None));

        Assert.Equal(403, error.Status);
        Assert.DoesNotContain(wrongKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retries_503Then429ThenCreated_SucceedsWithEveryAttemptCarryingTheSas()
    {
        await using var server = new ScriptedHttpServer(
            ScriptedHttpServer.Respond(HttpStatusCode.ServiceUnavailable),
            ScriptedHttpServer.Respond(HttpStatusCode.TooManyRequests, ("Retry-After", "0")),
            ScriptedHttpServer.Respond(HttpStatusCode.Created, ("ETag", "\"0x8D1\"")));
        var store = new BlobDeltaLogStore(BlobClientFactory.WithSas(BlobUri.Parse(server.Endpoint + "/lake"), "sv=2020-08-04&sig=abc%2Bdef"), "t");

        Assert.True(await store.TryCreateAsync(Commit, "{}"u8.ToArray(), CancellationToken.None));

        Assert.Equal(3, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.StartsWith("/account1/lake/t/_delta_log/00000000000000000000.json?", r.Url, StringComparison.Ordinal));
        Assert.All(server.Requests, r => Assert.Contains("sig=abc%2Bdef", r.Url, StringComparison.Ordinal));
        Assert.All(server.Requests, r => Assert.Equal("*", r.Headers["If-None-Match"]));
    }

    [Fact]
    public async Task Retries_AlwaysUnavailable_GivesUpAfterFiveRetriesWithTheStatus()
    {
        await using var server = new ScriptedHttpServer(ScriptedHttpServer.Respond(HttpStatusCode.ServiceUnavailable, ("x-ms-error-code", "ServerBusy")));
        var store = new BlobDeltaLogStore(BlobClientFactory.WithSas(BlobUri.Parse(server.Endpoint + "/lake"), "sv=2020-08-04&sig=abc"), "t");

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => store.WriteAsync("_delta_log/_last_checkpoint", "{}"u8.ToArray(), CancellationToken.None));

        Assert.Equal(503, error.Status);
        Assert.Equal("ServerBusy", error.ErrorCode);
        Assert.Equal(6, server.Requests.Count);
    }

    [Fact]
    public async Task Retries_BadRequest_IsNotRetried()
    {
        await using var server = new ScriptedHttpServer(ScriptedHttpServer.Respond(HttpStatusCode.BadRequest, ("x-ms-error-code", "InvalidHeaderValue")));
        var store = new BlobDeltaLogStore(BlobClientFactory.WithSas(BlobUri.Parse(server.Endpoint + "/lake"), "sv=2020-08-04&sig=abc"), "t");

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => store.WriteAsync("_delta_log/_last_checkpoint", "{}"u8.ToArray(), CancellationToken.None));

        Assert.Equal("InvalidHeaderValue", error.ErrorCode);
        Assert.Single(server.Requests);
    }
}
