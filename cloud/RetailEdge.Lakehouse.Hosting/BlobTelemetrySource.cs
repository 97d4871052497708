using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using RetailEdge.Lakehouse;

namespace RetailEdge.Lakehouse.Hosting;

/// <summary>
/// Routed blobs in an Azure Blob container (IoT Hub's storage endpoint). Several processors can
/// share a hub: each routed partition `{hub}/{partition}` is owned through a 60-second lease on
/// the blob `{ownershipPrefix}{hub}/{partition}.lease` (<see cref="BlobLeaseClient"/>), renewed on
/// every listing; a processor lists and lands only the partitions it owns, so no two land the same
/// file (the bronze txn guards the rest). A lost lease (expired, broken) is dropped and re-contested
/// on the next list.
/// </summary>
public sealed class BlobTelemetrySource : ITelemetrySource
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);
    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly string _ownershipPrefix;
    private readonly int? _listPageSize;
    private readonly Dictionary<string, BlobLeaseClient> _leases = new(StringComparer.Ordinal);

    /// <param name="prefix">where routed blobs start in the container (often empty)</param>
    /// <param name="ownershipPrefix">where lease blobs live; never under <paramref name="prefix"/>'s routed names</param>
    /// <param name="listPageSize">blobs per listing page (default the service's 5,000); the listing follows continuation markers either way</param>
    public BlobTelemetrySource(BlobContainerClient container, string prefix = "", string ownershipPrefix = "_ownership/", int? listPageSize = null)
    {
        _container = container ?? throw new ArgumentNullException(nameof(container));
        _prefix = prefix ?? string.Empty;
        _ownershipPrefix = string.IsNullOrWhiteSpace(ownershipPrefix) ? throw new ArgumentException("ownershipPrefix must be set", nameof(ownershipPrefix)) : ownershipPrefix;
        if (listPageSize is < 1 or > 5000)
        {
            throw new ArgumentOutOfRangeException(nameof(listPageSize), listPageSize, "a listing page holds 1 to 5,000 blobs");
        }
        _listPageSize = listPageSize;
    }

    public string Description => "blob container " + _container.Uri.GetLeftPart(UriPartial.Path) + (_prefix.Length > 0 ? "/" + _prefix : string.Empty);

    /// <summary>The partitions this instance currently owns ({hub}/{partition}).</summary>
    public IReadOnlyCollection<string> OwnedPartitions => _leases.Keys;

    public async Task<IReadOnlyList<RoutedFile>> ListAsync(CancellationToken cancellationToken)
    {
        var byPartition = new Dictionary<string, List<RoutedFile>>(StringComparer.Ordinal);
        var listing = _container.GetBlobsAsync(new GetBlobsOptions { Prefix = _prefix.Length > 0 ? _prefix : null }, cancellationToken);
        await foreach (var page in listing.AsPages(pageSizeHint: _listPageSize).ConfigureAwait(false))
        {
            foreach (var blob in page.Values)
            {
                var name = blob.Name[_prefix.Length..];
                var segments = name.Split('/');
                if (blob.Name.StartsWith(_ownershipPrefix, StringComparison.Ordinal) || segments.Length < 3)
                {
                    continue;
                }
                var partition = segments[0] + "/" + segments[1];
                if (!byPartition.TryGetValue(partition, out var list))
                {
                    byPartition[partition] = list = [];
                }
                list.Add(new RoutedFile(name, blob.Properties.ContentLength ?? 0, blob.Properties.LastModified ?? DateTimeOffset.MinValue));
            }
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
        // the SDK's streaming read (ranged downloads with retries): a routed blob is never held in memory whole
        return await _container.GetBlobClient(_prefix + file.Name).OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gives up every lease (graceful shutdown: another processor can take over at once).</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        foreach (var lease in _leases.Values)
        {
            try
            {
                await lease.ReleaseAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException)
            {
                // already expired or broken: nothing to give back
            }
        }
        _leases.Clear();
    }

    private async Task<bool> OwnAsync(string partition, CancellationToken cancellationToken)
    {
        if (_leases.TryGetValue(partition, out var held))
        {
            try
            {
                await held.RenewAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException)
            {
                _leases.Remove(partition); // taken over after expiry: contest it again below
            }
        }
        var blob = _container.GetBlobClient(_ownershipPrefix + partition + ".lease");
        var lease = blob.GetBlobLeaseClient(Guid.NewGuid().ToString("D"));
        try
        {
            await AcquireAsync(blob, lease, cancellationToken).ConfigureAwait(false);
            _leases[partition] = lease;
            return true;
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.LeaseAlreadyPresent)
        {
            return false; // another processor owns it
        }
    }

    /// <summary>Acquires the lease, creating the empty lease blob first when this partition was never owned.</summary>
    private static async Task AcquireAsync(BlobClient blob, BlobLeaseClient lease, CancellationToken cancellationToken)
    {
        try
        {
            await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.BlobNotFound)
        {
            // first owner of this partition
        }
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // another processor created it in between: contest the lease below
        }
        await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
