using RetailEdge.IotHub.Credentials;
using RetailEdge.Testing;

namespace RetailEdge.IotHub.Tests;

public class WorkloadApiClientTests
{
    private const string Key = IotHubSasVectors.Key;

    [Fact]
    public async Task SignAsync_OverUnixSocket_EqualsLocallyComputedToken()
    {
        await using var api = await FakeWorkloadApi.StartAsync(Key);
        using var client = new WorkloadApiClient(api.Options());
        var resource = SharedAccessSignature.ModuleResourceUri("myhub.azure-devices.net", "store017-gw", "StoreGateway");
        var encoded = IotHubUrlEncoding.Encode(resource);

        var signature = await client.SignAsync(SharedAccessSignature.StringToSign(encoded, 1893456000), CancellationToken.None);
        var token = SharedAccessSignature.FormatToken(encoded, signature, 1893456000);

        Assert.Equal(SharedAccessSignature.Create(resource, Key, 1893456000), token);
        Assert.Equal("workload.sock", api.LastHost);
        Assert.Equal("2019-01-30", api.LastApiVersion);
    }

    [Fact]
    public async Task SignAsync_ThroughTokenProvider_TokenValidates()
    {
        await using var api = await FakeWorkloadApi.StartAsync(Key);
        using var client = new WorkloadApiClient(api.Options());
        var resource = SharedAccessSignature.ModuleResourceUri("myhub.azure-devices.net", "store017-gw", "StoreGateway");
        var provider = new SasTokenProvider(resource, client, TimeSpan.FromHours(1), 0.15, TimeProvider.System);

        var issued = await provider.GetTokenAsync(CancellationToken.None);

        Assert.True(SasTokenValidator.Validate(issued.Token, resource, DateTimeOffset.UtcNow, Key).IsValid);
    }

    [Fact]
    public async Task SignAsync_ThreeServerErrors_RetriesAndSucceeds()
    {
        await using var api = await FakeWorkloadApi.StartAsync(Key);
        using var client = new WorkloadApiClient(api.Options());
        api.FailNextSigns(3);

        var signature = await client.SignAsync("x\n1", CancellationToken.None);

        Assert.Equal(SharedAccessSignature.Sign(Convert.FromBase64String(Key), "x\n1"), signature);
        Assert.Equal(4, api.SignRequests);
    }

    [Fact]
    public async Task SignAsync_FourServerErrors_ThrowsAfterFourAttempts()
    {
        await using var api = await FakeWorkloadApi.StartAsync(Key);
        using var client = new WorkloadApiClient(api.Options());
        api.FailNextSigns(4);

        var ex = await Assert.ThrowsAsync<WorkloadApiException>(() => client.SignAsync("x\n1", CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, ex.StatusCode);
        Assert.Equal(4, api.SignRequests);
    }

    [Fact]
    public async Task SignAsync_UnknownModule_ThrowsWithoutRetry()
    {
        await using var api = await FakeWorkloadApi.StartAsync(Key);
        using var client = new WorkloadApiClient(api.Options() with { ModuleId = "Other" });

        var ex = await Assert.ThrowsAsync<WorkloadApiException>(() => client.SignAsync("x\n1", CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Contains("unknown module", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, api.SignRequests);
    }

    [Fact]
    public async Task SignAsync_NoServerOnSocket_ThrowsAfterRetries()
    {
        using var dir = new RetailEdge.Testing.TempDirectory();
        using var client = new WorkloadApiClient(new WorkloadApiOptions
        {
            WorkloadUri = new Uri("unix://" + dir.Combine("missing.sock")),
            ModuleId = "m",
            GenerationId = "1",
            RetryDelay = TimeSpan.FromMilliseconds(1),
        });

        var ex = await Assert.ThrowsAsync<WorkloadApiException>(() => client.SignAsync("x\n1", CancellationToken.None));

        Assert.Null(ex.StatusCode);
    }

    [Fact]
    public async Task GetTrustBundleAsync_OverUnixSocket_ReturnsPemChain()
    {
        await using var api = await FakeWorkloadApi.StartAsync(Key);
        using var client = new WorkloadApiClient(api.Options());

        var pem = await client.GetTrustBundleAsync(CancellationToken.None);
        var certificates = WorkloadApiClient.ParseTrustBundle(pem);

        Assert.Equal(api.TrustBundlePem, pem);
        Assert.Equal(api.TrustBundleThumbprint, Assert.Single(certificates).Thumbprint);
    }

    [Theory]
    [InlineData("ftp://x/y")]
    [InlineData("unix:///")]
    public void Constructor_BadWorkloadUri_Throws(string uri)
    {
        Assert.Throws<ArgumentException>(() => new WorkloadApiClient(new WorkloadApiOptions { WorkloadUri = new Uri(uri), ModuleId = "m", GenerationId = "1" }));
    }
}
