using Azure.Storage.Blobs;
using RetailEdge.Delta;
using RetailEdge.Delta.AzureBlob;
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
        if (prefix.Split('/').Any(s => s is "." or ".."))
        {
            throw new ArgumentException("the lake prefix must not contain '.' or '..' segments", nameof(prefix));
        }
        _prefix = prefix.Trim('/').Length == 0 ? string.Empty : prefix.Trim('/') + "/";
    }

    /// <summary>The container URL and prefix, without credentials.</summary>
    public string Location => _container.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/" + _prefix;

    public IDeltaLogStore Open(string relativePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(relativePath);
        if (relativePath.Split('/').Any(s => s is "" or "." or ".."))
        {
            throw new ArgumentException($"table path '{relativePath}' leaves the lake root", nameof(relativePath));
        }
        return new BlobDeltaLogStore(_container, _prefix + relativePath);
    }
}
