using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RetailEdge.BlobStorage;

/// <summary>
/// A Blob service account over its REST API on HttpClient. Thread-safe and meant to be long-lived;
/// get a <see cref="BlobContainerClient"/> per container. Pass an <see cref="HttpClient"/> (from
/// IHttpClientFactory) or let the client own one.
/// </summary>
public sealed class BlobStorageClient : IDisposable
{
    private readonly BlobPipeline _pipeline;

    public BlobStorageClient(BlobStorageClientOptions options, HttpClient? httpClient = null, ILogger<BlobStorageClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _pipeline = new BlobPipeline(options, httpClient, (ILogger?)logger ?? NullLogger.Instance);
    }

    public Uri ServiceUri => _pipeline.Options.ServiceUri;

    public string AccountName => _pipeline.Options.AccountName;

    /// <summary>A client for a connection string (see <see cref="BlobConnectionString"/>).</summary>
    public static BlobStorageClient FromConnectionString(string connectionString, HttpClient? httpClient = null, ILogger<BlobStorageClient>? logger = null) =>
        new(BlobConnectionString.Parse(connectionString), httpClient, logger);

    public BlobContainerClient GetContainerClient(string containerName)
    {
        BlobNames.RequireContainer(containerName);
        return new BlobContainerClient(_pipeline, containerName);
    }

    public void Dispose() => _pipeline.Dispose();
}
