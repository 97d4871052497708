using RetailEdge.Delta;
using RetailEdge.Delta.Storage;

namespace RetailEdge.Lakehouse;

/// <summary>A lake in a local folder: table `layer.name` at `{root}/{layer}/{name}`.</summary>
public sealed class LocalLakeStoreFactory : ILakeStoreFactory
{
    private readonly string _root;

    public LocalLakeStoreFactory(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.GetFullPath(root);
    }

    public string Location => _root;

    public IDeltaLogStore Open(string relativePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(relativePath);
        var full = Path.GetFullPath(Path.Combine(_root, relativePath));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"table path '{relativePath}' leaves the lake root", nameof(relativePath));
        }
        return new LocalDeltaLogStore(full);
    }
}
