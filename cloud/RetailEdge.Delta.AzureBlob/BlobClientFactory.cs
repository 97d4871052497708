using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;

namespace RetailEdge.Delta.AzureBlob;

/// <summary>
/// Azure.Storage.Blobs container clients for a parsed location and one kind of credential, all with
/// the same retry settings. The SDK clients are thread-safe and meant to be long-lived; they hold no
/// resources of their own unless an <see cref="HttpClient"/> is passed (the caller owns it).
/// </summary>
public static class BlobClientFactory
{
    /// <summary>
    /// The SDK's exponential retry for transient failures (408, 429, 500, 502, 503, 504, connection
    /// errors, timeouts; Retry-After honoured): 5 retries from 0.2 s, at most 30 s apart. Log commits
    /// stay correct under retries: a put-if-absent that finds its own earlier try compares content.
    /// </summary>
    /// <param name="httpClient">the transport (tests pass one that trusts a local certificate); default the SDK's own</param>
    public static BlobClientOptions ClientOptions(HttpClient? httpClient = null)
    {
        var options = new BlobClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 5;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(30);
        if (httpClient is not null)
        {
            options.Transport = new HttpClientTransport(httpClient);
        }
        return options;
    }

    /// <summary>
    /// The container of <paramref name="location"/> with the account and credential of a storage
    /// connection string (AccountName/AccountKey, BlobEndpoint, SharedAccessSignature,
    /// UseDevelopmentStorage=true), parsed by the SDK. The connection string must be for the
    /// location's endpoint: a key for one account is never sent to another.
    /// </summary>
    /// <exception cref="ArgumentException">the connection string does not parse, or names another endpoint; the message never holds it</exception>
    public static BlobContainerClient WithConnectionString(BlobUri location, string connectionString, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(location);
        var service = ParseConnectionString(connectionString, ClientOptions(httpClient));
        var endpoint = WithoutQuery(service.Uri);
        if (!SameEndpoint(endpoint, location.ServiceUri))
        {
            throw new ArgumentException($"the storage connection string is for {endpoint.AbsoluteUri.TrimEnd('/')}, the location {location} is on {location.ServiceUri.AbsoluteUri.TrimEnd('/')}");
        }
        return service.GetBlobContainerClient(location.ContainerName);
    }

    /// <summary>The container of <paramref name="location"/>, authorized by an account or container SAS (with or without '?').</summary>
    public static BlobContainerClient WithSas(BlobUri location, string sas, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentException.ThrowIfNullOrWhiteSpace(sas);
        return new BlobContainerClient(location.ContainerUri, new AzureSasCredential(sas.TrimStart('?')), ClientOptions(httpClient));
    }

    /// <summary>
    /// The container of <paramref name="location"/> with bearer tokens (Azure.Identity; scope
    /// https://storage.azure.com/.default). The SDK refuses to send a token over plain http.
    /// </summary>
    public static BlobContainerClient WithTokenCredential(BlobUri location, TokenCredential credential, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(credential);
        return new BlobContainerClient(location.ContainerUri, credential, ClientOptions(httpClient));
    }

    /// <summary>Throws <see cref="ArgumentException"/> (the SDK's reason, never the value) when the connection string does not parse.</summary>
    public static void ValidateConnectionString(string connectionString) => ParseConnectionString(connectionString, null);

    private static BlobServiceClient ParseConnectionString(string connectionString, BlobClientOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        try
        {
            return new BlobServiceClient(connectionString, options);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"not a valid storage connection string ({e.Message})", nameof(connectionString), e);
        }
    }

    private static Uri WithoutQuery(Uri uri) => new(uri.GetLeftPart(UriPartial.Path));

    private static bool SameEndpoint(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port
        && string.Equals(a.AbsolutePath.TrimEnd('/'), b.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal);
}
