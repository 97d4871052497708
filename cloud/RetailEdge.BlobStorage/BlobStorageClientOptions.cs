using Azure.Core;

namespace RetailEdge.BlobStorage;

/// <summary>
/// Where the Blob service is and how to authorize. Exactly one of <see cref="SharedKey"/>,
/// <see cref="SasToken"/> or <see cref="TokenCredential"/> may be set (none = anonymous, for
/// public containers). Validated when a client is created.
/// </summary>
public sealed record BlobStorageClientOptions
{
    /// <summary>The account's blob endpoint: https://{account}.blob.core.windows.net, or
    /// path-style http://127.0.0.1:10000/devstoreaccount1 for the emulator.</summary>
    public required Uri ServiceUri { get; init; }

    public BlobSharedKeyCredential? SharedKey { get; init; }

    /// <summary>An account or container SAS (query string, with or without the leading '?').</summary>
    public string? SasToken { get; init; }

    /// <summary>Bearer tokens (Azure AD / managed identity) for scope https://storage.azure.com/.default.</summary>
    public TokenCredential? TokenCredential { get; init; }

    /// <summary>The x-ms-version sent with every request (2021-12-02 supports everything used here).</summary>
    public string ApiVersion { get; init; } = "2021-12-02";

    /// <summary>Retries of transient failures (408, 429, 500, 502, 503, 504, connection errors, per-try timeouts).</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>First back-off delay; doubles each retry with jitter, capped at <see cref="MaxRetryDelay"/>. Retry-After wins when given.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for one attempt (until response headers).</summary>
    public TimeSpan TryTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Uploads larger than this are sent as blocks (Put Block + Put Block List).</summary>
    public int SingleUploadThreshold { get; init; } = 8 * 1024 * 1024;

    /// <summary>Block size for block uploads (at most 4000 MiB by the service; memory use is this × <see cref="UploadConcurrency"/>).</summary>
    public int BlockSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Blocks uploaded in parallel.</summary>
    public int UploadConcurrency { get; init; } = 4;

    /// <summary>Clock for x-ms-date, token expiry and back-off.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The account name: from the shared key, else from the endpoint (host or, path-style, first segment).</summary>
    public string AccountName => SharedKey?.AccountName ?? BlobUri.AccountNameOf(ServiceUri);

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting that is wrong.</summary>
    public void Validate()
    {
        if (ServiceUri is null || !ServiceUri.IsAbsoluteUri || (ServiceUri.Scheme != Uri.UriSchemeHttps && ServiceUri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"{nameof(ServiceUri)} must be an absolute http(s) URI.", nameof(ServiceUri));
        }
        if (!string.IsNullOrEmpty(ServiceUri.Query))
        {
            throw new ArgumentException($"{nameof(ServiceUri)} must not carry a query; put a SAS in {nameof(SasToken)}.", nameof(ServiceUri));
        }
        var credentials = (SharedKey is null ? 0 : 1) + (string.IsNullOrEmpty(SasToken) ? 0 : 1) + (TokenCredential is null ? 0 : 1);
        if (credentials > 1)
        {
            throw new ArgumentException($"Set only one of {nameof(SharedKey)}, {nameof(SasToken)} and {nameof(TokenCredential)}.", nameof(SharedKey));
        }
        if (TokenCredential is not null && ServiceUri.Scheme != Uri.UriSchemeHttps && !ServiceUri.IsLoopback)
        {
            throw new ArgumentException($"{nameof(TokenCredential)} requires an https {nameof(ServiceUri)} (bearer tokens are never sent in clear text).", nameof(TokenCredential));
        }
        if (SasToken is not null && (SasToken.Contains('#', StringComparison.Ordinal) || SasToken.Any(char.IsWhiteSpace)))
        {
            throw new ArgumentException($"{nameof(SasToken)} is not a valid query string.", nameof(SasToken));
        }
        if (string.IsNullOrWhiteSpace(ApiVersion))
        {
            throw new ArgumentException($"{nameof(ApiVersion)} must be set.", nameof(ApiVersion));
        }
        if (MaxRetries is < 0 or > 20)
        {
            throw new ArgumentException($"{nameof(MaxRetries)} must be between 0 and 20.", nameof(MaxRetries));
        }
        if (RetryDelay <= TimeSpan.Zero || MaxRetryDelay < RetryDelay)
        {
            throw new ArgumentException($"{nameof(RetryDelay)} must be positive and not above {nameof(MaxRetryDelay)}.", nameof(RetryDelay));
        }
        if (TryTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(TryTimeout)} must be positive.", nameof(TryTimeout));
        }
        if (BlockSize is < 64 * 1024 or > 256 * 1024 * 1024)
        {
            throw new ArgumentException($"{nameof(BlockSize)} must be between 64 KiB and 256 MiB.", nameof(BlockSize));
        }
        if (SingleUploadThreshold is < 0 or > 256 * 1024 * 1024)
        {
            throw new ArgumentException($"{nameof(SingleUploadThreshold)} must be between 0 and 256 MiB.", nameof(SingleUploadThreshold));
        }
        if (UploadConcurrency is < 1 or > 64)
        {
            throw new ArgumentException($"{nameof(UploadConcurrency)} must be between 1 and 64.", nameof(UploadConcurrency));
        }
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }

    /// <summary>The SAS without a leading '?', or null.</summary>
    internal string? SasQuery => string.IsNullOrEmpty(SasToken) ? null : SasToken.TrimStart('?');

    /// <summary>Never prints credentials.</summary>
    public override string ToString()
    {
        var auth = SharedKey is not null ? "SharedKey" : SasToken is not null ? "SAS" : TokenCredential is not null ? "Bearer" : "Anonymous";
        return $"BlobStorageClientOptions {{ ServiceUri = {ServiceUri}, Auth = {auth} }}";
    }
}
