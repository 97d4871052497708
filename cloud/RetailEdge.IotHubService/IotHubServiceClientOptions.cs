using Azure.Core;

namespace RetailEdge.IotHubService;

/// <summary>
/// Settings of an <see cref="IotHubServiceClient"/>. Authenticate with a service-policy
/// <see cref="ConnectionString"/> (SAS tokens are made from it), or with <see cref="HostName"/>
/// and a <see cref="Credential"/> (Microsoft Entra bearer tokens, e.g. a managed identity).
/// </summary>
public sealed record IotHubServiceClientOptions
{
    /// <summary>The scope of bearer tokens for IoT Hub's service API.</summary>
    public const string BearerScope = "https://iothubs.azure.net/.default";

    /// <summary><c>HostName=…;SharedAccessKeyName=…;SharedAccessKey=…</c>. A secret: never log it.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>The hub host name, required with <see cref="Credential"/>.</summary>
    public string? HostName { get; init; }

    /// <summary>A token credential for bearer authentication instead of SAS.</summary>
    public TokenCredential? Credential { get; init; }

    /// <summary>Where requests go; default https://{HostName}/. Set it for the local hub emulator.</summary>
    public Uri? Endpoint { get; init; }

    public string ApiVersion { get; init; } = "2021-04-12";

    /// <summary>Retries after a 429 or 5xx answer (or a connection failure) before giving up.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>First back-off delay when the hub gives no Retry-After; doubles per attempt.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Upper bound for any single wait, including a Retry-After asked by the hub.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Lifetime of the SAS tokens this client creates (renewed at 85 %).</summary>
    public TimeSpan SasTokenTimeToLive { get; init; } = TimeSpan.FromHours(1);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting that is wrong.</summary>
    public void Validate()
    {
        if (ConnectionString is null == Credential is null)
        {
            throw new ArgumentException("IotHubServiceClientOptions: set exactly one of ConnectionString or Credential.");
        }
        if (Credential is not null && string.IsNullOrWhiteSpace(HostName))
        {
            throw new ArgumentException("IotHubServiceClientOptions.HostName is required with a Credential.");
        }
        if (Endpoint is not null && (!Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps)))
        {
            throw new ArgumentException("IotHubServiceClientOptions.Endpoint must be an absolute http(s) URI.");
        }
        if (string.IsNullOrWhiteSpace(ApiVersion))
        {
            throw new ArgumentException("IotHubServiceClientOptions.ApiVersion is required.");
        }
        if (MaxRetries is < 0 or > 20)
        {
            throw new ArgumentException("IotHubServiceClientOptions.MaxRetries must be 0–20.");
        }
        if (RetryDelay < TimeSpan.Zero || MaxRetryDelay < RetryDelay)
        {
            throw new ArgumentException("IotHubServiceClientOptions.RetryDelay must be ≥ 0 and ≤ MaxRetryDelay.");
        }
        if (SasTokenTimeToLive < TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException("IotHubServiceClientOptions.SasTokenTimeToLive must be at least 1 minute.");
        }
    }
}
