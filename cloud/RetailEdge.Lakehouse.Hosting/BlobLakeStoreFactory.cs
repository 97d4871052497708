using Azure.Storage.Blobs;
using RetailEdge.Delta;
using RetailEdge.Delta.AzureBlob;
using RetailEdge.Delta.Storage;
using RetailEdge.Lakehouse;

namespace RetailEdge.Lakehouse.Hosting;

/// <summary>
/// A lake in a blob container: table `layer.name` at `{container}/{prefix}{layer}/{name}`, its log
/// committed with put-if-absent (<see cref="BlobDeltaLogStore"/>); data files are uploaded from and
/// downloaded to the scratch folder by <see cref="LakeTable"/>.
/// </summary>
public sealed class BlobLakeStoreFactory : ILakeStoreFactory
{
    private readonly BlobContainerClient _container;
    private readonly string _prefix;

    public BlobLakeStoreFactory(BlobContainerClient container, string prefix = "")
    {
        _container = container ?? throw new ArgumentNullException(nameof(container));
        ArgumentNullException.ThrowIfNull(prefix);
        var trimmed = prefix.Trim('/');
        _prefix = trimmed.Length == 0 ? string.Empty : StorePath.Validate(trimmed) + "/";
    }

    /// <summary>The container URL and prefix, without credentials.</summary>
    public string Location => _container.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/" + _prefix;

    public IDeltaLogStore Open(string relativePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(relativePath);
        // the store's own check refuses '.', '..', empty segments and rooted paths, naming the path
        return new BlobDeltaLogStore(_container, _prefix + StorePath.Validate(relativePath));
    }
}
