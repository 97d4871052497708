


namespace RetailEdge.IotHub.Credentials.Tests;

public class SasTokenProviderTests
{
    private static readonly string Resource = SharedAccessSignature.ModuleResourceUri("myhub.azure-devices.net", "store017-gw", "StoreGateway");

    [Fact]
    public async Task GetTokenAsync_DefaultLifetime_ExpiresInOneHourAndRenewsWith15PercentLeft()
    {
        var clock = new ManualClock(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var provider = new SasTokenProvider(Resource, new SharedAccessKeySigner(SharedAccessSignatureTests.Key),
            SharedAccessSignature.DefaultTimeToLive, SharedAccessSignature.DefaultRenewalFraction, clock);

        var first = await provider.GetTokenAsync(CancellationToken.None);

        Assert.Equal(clock.GetUtcNow().AddSeconds(3600), first.ExpiresOn);
        Assert.Equal(clock.GetUtcNow().AddSeconds(3060), first.RenewAt);
        Assert.True(SasTokenValidator.Validate(first.Token, Resource, clock.GetUtcNow(), SharedAccessSignatureTests.Key).IsValid);

        clock.Advance(TimeSpan.FromSeconds(3059));
        Assert.Same(first, await provider.GetTokenAsync(CancellationToken.None));

        clock.Advance(TimeSpan.FromSeconds(1));
        var second = await provider.GetTokenAsync(CancellationToken.None);
        Assert.NotEqual(first.Token, second.Token);
        Assert.Equal(clock.GetUtcNow().AddSeconds(3600), second.ExpiresOn);
    }

    [Fact]
    public async Task GetTokenAsync_AfterInvalidate_SignsAgain()
    {
        var clock = new ManualClock(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var signer = new CountingSigner(new SharedAccessKeySigner(SharedAccessSignatureTests.Key));
        var provider = new SasTokenProvider(Resource, signer, TimeSpan.FromMinutes(10), 0.15, clock);

        await provider.GetTokenAsync(CancellationToken.None);
        await provider.GetTokenAsync(CancellationToken.None);
        provider.Invalidate();
        await provider.GetTokenAsync(CancellationToken.None);

        Assert.Equal(2, signer.Count);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Constructor_BadRenewalFraction_Throws(double fraction)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new SasTokenProvider(Resource, new SharedAccessKeySigner(SharedAccessSignatureTests.Key), TimeSpan.FromHours(1), fraction, TimeProvider.System));
    }

    private sealed class CountingSigner(ISasTokenSigner inner) : ISasTokenSigner
    {
        public int Count;

        public Task<string> SignAsync(string stringToSign, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Count);
            return inner.SignAsync(stringToSign, cancellationToken);
        }
    }
}
