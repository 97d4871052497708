using RetailEdge.ReferencePublishing;

namespace RetailEdge.Lakehouse.Hosting;

/// <summary>
/// Reference sets in the lake folder (<c>_published/reference/{sha256}.json.gz</c>) behind file urls:
/// for gateways that mount the folder (read-only) and name it as their <c>ReferenceDataFileRoot</c>.
/// Each file is written under a temporary name and renamed, so a reader never sees half a set.
/// </summary>
public sealed class FolderReferenceSetStore : IReferenceSetStore
{
    /// <summary>The folder under the lake root; Delta tables never list it (not a table path).</summary>
    public const string RelativeFolder = "_published/reference";

    private readonly string _folder;

    public FolderReferenceSetStore(string lakeRoot)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lakeRoot);
        _folder = Path.Combine(Path.GetFullPath(lakeRoot), RelativeFolder);
    }

    public string Folder => _folder;

    public async Task<Uri> PutAsync(StoreReferenceSet set, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(set);
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, set.Sha256 + ".json.gz");
        if (!File.Exists(path) || new FileInfo(path).Length != set.Payload.Length)
        {
            var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            await File.WriteAllBytesAsync(temporary, set.Payload, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
        return new Uri(path);
    }
}
