using RetailEdge.BlobStorage;
using RetailEdge.Delta;
using RetailEdge.Delta.Storage;

namespace RetailEdge.Lakehouse;

/// <summary>
/// A lake in a blob container: table `layer.name` at `{container}/{prefix}{layer}/{name}`, its log
/// committed with put-if-absent (<see cref="BlobDeltaLogStore"/>); data files are uploaded from and
/// downloaded to the scratch folder by <see cref="LakeTable"/>.
/// </summary>
public sealed class BlobLakeStoreFactory : ILakeStoreFactory, IDisposable
{
    private readonly BlobStorageClient _client;
    private readonly BlobContainerClient _container;
    private readonly string _prefix;

    public BlobLakeStoreFactory(BlobStorageClient client, string containerName, string prefix = "")
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Split('/').Any(s => s is "." or ".."))
        {
            throw new ArgumentException("the lake prefix must not contain '.' or '..' segments", nameof(prefix));
        }
        _container = client.GetContainerClient(containerName);
        _prefix = prefix.Trim('/').Length == 0 ? string.Empty : prefix.Trim('/') + "/";
    }

    /// <summary>The container URL and prefix, without credentials.</summary>
    public string Location => _container.Uri.AbsoluteUri.TrimEnd('/') + "/" + _prefix;

    public IDeltaLogStore Open(string relativePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(relativePath);
        if (relativePath.Split('/').Any(s => s is "" or "." or ".."))
        {
            throw new ArgumentException($"table path '{relativePath}' leaves the lake root", nameof(relativePath));
        }
        return new BlobDeltaLogStore(_container, _prefix + relativePath);
    }

    /// <summary>Creates the container when it does not exist yet (a new lake).</summary>
    public Task<bool> EnsureContainerAsync(CancellationToken cancellationToken) => _container.CreateIfNotExistsAsync(cancellationToken);

    public void Dispose() => _client.Dispose();
}
