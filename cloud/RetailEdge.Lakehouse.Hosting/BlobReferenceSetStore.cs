using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using RetailEdge.ReferencePublishing;

namespace RetailEdge.Lakehouse.Hosting;

/// <summary>
/// Reference sets as blobs beside a blob lake (<c>{prefix}_published/reference/{sha256}.json.gz</c>) behind
/// read-only SAS urls that expire after <see cref="UrlLifetime"/>: signed with the account key when the
/// container client has one (a connection string), else with a user delegation key (Azure.Identity; the
/// identity needs "Storage Blob Delegator"). The url is the only secret the gateway gets: read, one blob, for a while.
/// </summary>
public sealed class BlobReferenceSetStore : IReferenceSetStore
{
    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly TimeProvider _timeProvider;

    public BlobReferenceSetStore(BlobContainerClient container, string prefix, TimeSpan urlLifetime, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        if (urlLifetime < TimeSpan.FromMinutes(5) || urlLifetime > TimeSpan.FromDays(7))
        {
            // a user delegation key lives at most 7 days
            throw new ArgumentOutOfRangeException(nameof(urlLifetime), "the reference url lifetime must be from 5 minutes to 7 days");
        }
        _container = container;
        var trimmed = (prefix ?? string.Empty).Trim('/');
        _prefix = (trimmed.Length == 0 ? string.Empty : trimmed + "/") + FolderReferenceSetStore.RelativeFolder + "/";
        UrlLifetime = urlLifetime;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public TimeSpan UrlLifetime { get; }

    public async Task<Uri> PutAsync(StoreReferenceSet set, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(set);
        var blob = _container.GetBlobClient(_prefix + set.Sha256 + ".json.gz");
        try
        {
            // content-addressed: a blob that exists already holds these bytes
            await blob.UploadAsync(BinaryData.FromBytes(set.Payload), new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/gzip" },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
        }
        var now = _timeProvider.GetUtcNow();
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, now + UrlLifetime)
        {
            BlobContainerName = blob.BlobContainerName,
            BlobName = blob.Name,
            Resource = "b",
            // clocks of the storage service and this host may differ by a few minutes
            StartsOn = now - TimeSpan.FromMinutes(5),
        };
        if (blob.CanGenerateSasUri)
        {
            return blob.GenerateSasUri(sas);
        }
        var service = _container.GetParentBlobServiceClient();
        var key = await service.GetUserDelegationKeyAsync(sas.StartsOn, sas.ExpiresOn, cancellationToken).ConfigureAwait(false);
        return new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(key.Value, service.AccountName) }.ToUri();
    }
}
