using System.Globalization;

namespace RetailEdge.IotHub.Credentials;

/// <summary>
/// Issues SAS tokens for one resource and reuses the current one until its renewal time
/// (PROTOCOLS.md: the SDK uses a 3600 s lifetime and renews when 15 % of it remains).
/// Thread-safe.
/// </summary>
public sealed class SasTokenProvider
{
    private readonly string _encodedResource;
    private readonly ISasTokenSigner _signer;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeToLive;
    private readonly TimeSpan _renewBefore;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IssuedSasToken? _current;

    /// <param name="resourceUri">the resource, e.g. <see cref="SharedAccessSignature.ModuleResourceUri"/> (encoded here as a whole)</param>
    /// <param name="signer">computes the HMAC</param>
    /// <param name="timeToLive">token lifetime (positive)</param>
    /// <param name="renewalFraction">renew when this fraction of the lifetime remains (0 &lt; f &lt; 1)</param>
    /// <param name="timeProvider">the clock</param>
    public SasTokenProvider(string resourceUri, ISasTokenSigner signer, TimeSpan timeToLive, double renewalFraction, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceUri);
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeToLive, TimeSpan.FromSeconds(2));
        if (renewalFraction is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(renewalFraction), renewalFraction, "must be between 0 and 1 (exclusive)");
        }
        _encodedResource = IotHubUrlEncoding.Encode(resourceUri);
        _signer = signer;
        _timeProvider = timeProvider;
        _timeToLive = timeToLive;
        _renewBefore = timeToLive * renewalFraction;
    }

    /// <summary>The encoded resource (the token's <c>sr</c>).</summary>
    public string EncodedResource => _encodedResource;

    /// <summary>Returns the current token, or signs a new one when none is held or its renewal time has come.</summary>
    public async Task<IssuedSasToken> GetTokenAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && _timeProvider.GetUtcNow() < current.RenewAt)
        {
            return current;
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            current = _current;
            var now = _timeProvider.GetUtcNow();
            if (current is not null && now < current.RenewAt)
            {
                return current;
            }
            var expiry = (now + _timeToLive).ToUnixTimeSeconds();
            var signature = await _signer.SignAsync(SharedAccessSignature.StringToSign(_encodedResource, expiry), cancellationToken).ConfigureAwait(false);
            var expiresOn = DateTimeOffset.FromUnixTimeSeconds(expiry);
            current = new IssuedSasToken(SharedAccessSignature.FormatToken(_encodedResource, signature, expiry), expiresOn, expiresOn - _renewBefore);
            Volatile.Write(ref _current, current);
            return current;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the current token so the next call signs a fresh one (e.g. after the hub rejected it).</summary>
    public void Invalidate() => Volatile.Write(ref _current, null);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"SasTokenProvider {{ ttl = {_timeToLive}, renewBefore = {_renewBefore} }}");
}
