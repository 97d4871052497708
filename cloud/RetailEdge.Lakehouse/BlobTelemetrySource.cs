using RetailEdge.BlobStorage;

namespace RetailEdge.Lakehouse;

/// <summary>
/// Routed blobs in an Azure Blob container (IoT Hub's storage endpoint). Several processors can
/// share a hub: each routed partition `{hub}/{partition}` is owned through a 60-second lease on
/// the blob `{ownershipPrefix}{hub}/{partition}.lease`, renewed on every listing; a processor
/// lists and lands only the partitions it owns, so no two land the same file (the bronze txn
/// guards the rest). A lost lease (expired, broken) is dropped and re-contested on the next list.
/// </summary>
public sealed class BlobTelemetrySource : ITelemetrySource
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);
    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly string _ownershipPrefix;
    private readonly Dictionary<string, string> _leases = new(StringComparer.Ordinal);

    /// <param name="prefix">where routed blobs start in the container (often empty)</param>
    /// <param name="ownershipPrefix">where lease blobs live; never under <paramref name="prefix"/>'s routed names</param>
    public BlobTelemetrySource(BlobContainerClient container, string prefix = "", string ownershipPrefix = "_ownership/")
    {
        _container = container ?? throw new ArgumentNullException(nameof(container));
        _prefix = prefix ?? string.Empty;
        _ownershipPrefix = string.IsNullOrWhiteSpace(ownershipPrefix) ? throw new ArgumentException("ownershipPrefix must be set", nameof(ownershipPrefix)) : ownershipPrefix;
    }

    public string Description => "blob container " + _container.Uri.GetLeftPart(UriPartial.Path) + (_prefix.Length > 0 ? "/" + _prefix : string.Empty);

    /// <summary>The partitions this instance currently owns ({hub}/{partition}).</summary>
    public IReadOnlyCollection<string> OwnedPartitions => _leases.Keys;

    public async Task<IReadOnlyList<RoutedFile>> ListAsync(CancellationToken cancellationToken)
    {
        var byPartition = new Dictionary<string, List<RoutedFile>>(StringComparer.Ordinal);
        await foreach (var blob in _container.ListAllBlobsAsync(_prefix.Length > 0 ? _prefix : null, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var name = blob.Name[_prefix.Length..];
            if (blob.Name.StartsWith(_ownershipPrefix, StringComparison.Ordinal) || name.Split('/').Length < 3)
            {
                continue;
            }
            var segments = name.Split('/');
            var partition = segments[0] + "/" + segments[1];
            if (!byPartition.TryGetValue(partition, out var list))
            {
                byPartition[partition] = list = [];
            }
            list.Add(new RoutedFile(name, blob.ContentLength, blob.LastModified));
        }
        var files = new List<RoutedFile>();
        foreach (var (partition, list) in byPartition)
        {
            if (await OwnAsync(partition, cancellationToken).ConfigureAwait(false))
            {
                files.AddRange(list);
            }
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return files;
    }

    public async Task<Stream> OpenReadAsync(RoutedFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        // streamed into a temporary file that goes away when closed: a routed blob is never held in memory whole
        var temp = new FileStream(Path.Combine(Path.GetTempPath(), "retailedge-routed-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
        try
        {
            await _container.DownloadToAsync(_prefix + file.Name, temp, cancellationToken: cancellationToken).ConfigureAwait(false);
            temp.Position = 0;
            return temp;
        }
        catch
        {
            await temp.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Gives up every lease (graceful shutdown: another processor can take over at once).</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        foreach (var (partition, leaseId) in _leases)
        {
            try
            {
                await _container.ReleaseLeaseAsync(LeaseBlob(partition), leaseId, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobStorageException)
            {
                // already expired or broken: nothing to give back
            }
        }
        _leases.Clear();
    }

    private async Task<bool> OwnAsync(string partition, CancellationToken cancellationToken)
    {
        var blob = LeaseBlob(partition);
        if (_leases.TryGetValue(partition, out var leaseId))
        {
            try
            {
                await _container.RenewLeaseAsync(blob, leaseId, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (BlobStorageException)
            {
                _leases.Remove(partition); // taken over after expiry: contest it again below
            }
        }
        await _container.TryPutBlobIfNotExistsAsync(blob, Array.Empty<byte>(), cancellationToken).ConfigureAwait(false);
        try
        {
            var lease = await _container.AcquireLeaseAsync(blob, LeaseDuration, Guid.NewGuid().ToString("D"), cancellationToken).ConfigureAwait(false);
            _leases[partition] = lease.LeaseId;
            return true;
        }
        catch (BlobStorageException e) when (e.Status == System.Net.HttpStatusCode.Conflict)
        {
            return false; // another processor owns it
        }
    }

    private string LeaseBlob(string partition) => _ownershipPrefix + partition + ".lease";
}
