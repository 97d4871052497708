using System.Net;
using Azure.Core;
using RetailEdge.Testing;

namespace RetailEdge.BlobStorage.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class BlobAuthenticationTests
{
    private readonly AzuriteFixture _azurite;

    public BlobAuthenticationTests(AzuriteFixture azurite)
    {
        _azurite = azurite;
    }

    [Fact]
    public async Task SharedKey_WrongKey_Is403AndKeyNeverInMessage()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var log = new CapturingLogger<BlobStorageClient>();
        using var client = new BlobStorageClient(_azurite.SharedKeyOptions() with
        {
            SharedKey = new BlobSharedKeyCredential(AzuriteServer.AccountName, wrongKey),
        }, logger: log);
        var error = await Assert.ThrowsAsync<BlobStorageException>(() => client.GetContainerClient(AzuriteFixture.NewContainerName()).CreateIfNotExistsAsync());
        Assert.Equal(HttpStatusCode.Forbidden, error.Status);
        Assert.Contains(error.ErrorCode, new[] { BlobErrorCodes.AuthenticationFailed, BlobErrorCodes.AuthorizationFailure });
        Assert.DoesNotContain(wrongKey, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Lines, l => l.Contains(wrongKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConnectionString_FromFixture_Works()
    {
        using var client = BlobStorageClient.FromConnectionString(_azurite.Server.ConnectionString);
        Assert.Equal(AzuriteServer.AccountName, client.AccountName);
        var container = client.GetContainerClient(AzuriteFixture.NewContainerName());
        Assert.True(await container.CreateIfNotExistsAsync());
        await container.PutBlobAsync("x", new byte[] { 42 });
        Assert.Equal(42, (await container.DownloadAsync("x")).Content.Span[0]);
    }

    [Fact]
    public async Task Sas_AccountSas_CanWriteListReadAndTamperedSasIsRefusedWithoutEcho()
    {
        var sas = AccountSas.Create(AzuriteServer.AccountName, AzuriteServer.AccountKey, "rwdlac", DateTimeOffset.UtcNow.AddHours(1));
        var log = new CapturingLogger<BlobStorageClient>();
        using var client = new BlobStorageClient(new BlobStorageClientOptions { ServiceUri = _azurite.Server.BlobEndpoint, SasToken = "?" + sas }, logger: log);
        var container = client.GetContainerClient(AzuriteFixture.NewContainerName());
        Assert.True(await container.CreateIfNotExistsAsync());
        await container.PutBlobAsync("a b/c=d.json", "{}"u8.ToArray());
        var page = await container.ListBlobsAsync(prefix: "a b/c=");
        Assert.Equal("a b/c=d.json", Assert.Single(page.Blobs).Name);
        Assert.Equal("{}", System.Text.Encoding.UTF8.GetString((await container.DownloadAsync("a b/c=d.json")).Content.Span));

        var tampered = sas.Replace("sp=rwdlac", "sp=rwdlacx", StringComparison.Ordinal);
        using var bad = new BlobStorageClient(new BlobStorageClientOptions { ServiceUri = _azurite.Server.BlobEndpoint, SasToken = tampered, MaxRetries = 0 }, logger: log);
        var error = await Assert.ThrowsAsync<BlobStorageException>(() => bad.GetContainerClient(container.Name).DownloadAsync("a b/c=d.json"));
        Assert.Equal(HttpStatusCode.Forbidden, error.Status);
        Assert.DoesNotContain("sig=", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Lines, l => l.Contains("sig=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bearer_TokenCredential_SendsBearerAndCachesToken()
    {
        await using var server = new ScriptedHttpServer(ScriptedHttpServer.Respond(HttpStatusCode.Created, ("ETag", "\"0x1\"")));
        var credential = new CountingCredential("token-abc", DateTimeOffset.UtcNow.AddHours(1));
        using var client = new BlobStorageClient(new BlobStorageClientOptions { ServiceUri = server.Endpoint, TokenCredential = credential });
        var container = client.GetContainerClient("lake");
        await container.PutBlobAsync("one", new byte[] { 1 });
        await container.PutBlobAsync("two", new byte[] { 2 });

        Assert.Equal(1, credential.Calls);
        Assert.Equal(["https://storage.azure.com/.default"], credential.LastScopes);
        Assert.All(server.Requests, r => Assert.Equal("Bearer token-abc", r.Headers["Authorization"]));
        Assert.Equal(["/account1/lake/one", "/account1/lake/two"], server.Requests.Select(r => r.Url));
        Assert.All(server.Requests, r => Assert.Equal("2021-12-02", r.Headers["x-ms-version"]));
    }

    [Fact]
    public async Task Bearer_ExpiringToken_IsRefreshed()
    {
        await using var server = new ScriptedHttpServer(ScriptedHttpServer.Respond(HttpStatusCode.Created));
        var credential = new CountingCredential("short", DateTimeOffset.UtcNow.AddMinutes(2));
        using var client = new BlobStorageClient(new BlobStorageClientOptions { ServiceUri = server.Endpoint, TokenCredential = credential });
        await client.GetContainerClient("lake").PutBlobAsync("one", new byte[] { 1 });
        await client.GetContainerClient("lake").PutBlobAsync("two", new byte[] { 1 });
        Assert.Equal(2, credential.Calls);
    }

    [Fact]
    public void Options_BearerOverPlainHttpToRemoteHost_Refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new BlobStorageClient(new BlobStorageClientOptions
        {
            ServiceUri = new Uri("http://account.blob.core.windows.net"),
            TokenCredential = new CountingCredential("t", DateTimeOffset.UtcNow.AddHours(1)),
        }));
        Assert.Contains("TokenCredential", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_TwoCredentials_Refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new BlobStorageClient(new BlobStorageClientOptions
        {
            ServiceUri = new Uri("https://account.blob.core.windows.net"),
            SasToken = "sv=1&sig=x",
            SharedKey = new BlobSharedKeyCredential("account", AzuriteServer.AccountKey),
        }));
        Assert.Contains("only one", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_ToString_NeverShowsSecrets()
    {
        var options = new BlobStorageClientOptions { ServiceUri = new Uri("https://account.blob.core.windows.net"), SasToken = "sv=1&sig=SECRET" };
        Assert.DoesNotContain("SECRET", options.ToString(), StringComparison.Ordinal);
        var shared = new BlobSharedKeyCredential("account", AzuriteServer.AccountKey);
        Assert.DoesNotContain(AzuriteServer.AccountKey, shared.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A TokenCredential of our own (no Azure AD here): counts calls, returns a fixed token.</summary>
    private sealed class CountingCredential(string token, DateTimeOffset expiresOn) : TokenCredential
    {
        private int _calls;

        public int Calls => _calls;

        public string[] LastScopes { get; private set; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            LastScopes = requestContext.Scopes;
            return new AccessToken(token, expiresOn);
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
