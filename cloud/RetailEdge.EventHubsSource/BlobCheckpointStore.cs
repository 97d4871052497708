using System.Globalization;
using Azure;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace RetailEdge.EventHubsSource;

/// <summary>
/// The processor's partition ownership and checkpoints in a blob container, in the layout and
/// metadata of Azure's BlobCheckpointStore (Azure.Messaging.EventHubs.Processor), so a standard
/// EventProcessorClient reading the same container and consumer group takes over where this one
/// stopped and balances partitions with it:
/// <code>
///   {namespace}/{event hub}/{consumer group}/ownership/{partition}    empty, metadata ownerid
///   {namespace}/{event hub}/{consumer group}/checkpoint/{partition}   empty, metadata offset, sequencenumber, clientidentifier
/// </code>
/// (namespace, hub and group lower-cased; an optional prefix for a shared container goes first).
/// A claim is optimistic: an owned partition is updated with If-Match its ETag (the ownership's
/// Version), an unowned one created with If-None-Match: *; a claim that loses the race is left out
/// of the result, which is how the load balancer learns that another instance holds it.
/// </summary>
public sealed class BlobCheckpointStore : CheckpointStore
{
    /// <summary>Blob metadata keys of the standard store (Azure.Messaging.EventHubs.Processor's BlobMetadataKey).</summary>
    public const string OwnerIdentifierKey = "ownerid";
    public const string OffsetKey = "offset";
    public const string SequenceNumberKey = "sequencenumber";
    public const string ClientIdentifierKey = "clientidentifier";

    private readonly BlobContainerClient _container;
    private readonly string _prefix;

    /// <param name="container">the container (it must exist)</param>
    /// <param name="prefix">a folder inside the container for every blob, or empty for the container root as the standard store uses</param>
    public BlobCheckpointStore(BlobContainerClient container, string? prefix = null)
    {
        _container = container ?? throw new ArgumentNullException(nameof(container));
        var trimmed = (prefix ?? string.Empty).Trim('/');
        _prefix = trimmed.Length == 0 ? string.Empty : trimmed + "/";
    }

    /// <summary>The name of a partition's ownership blob.</summary>
    public string OwnershipBlobName(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId) =>
        Folder(fullyQualifiedNamespace, eventHubName, consumerGroup, "ownership") + ValidPartition(partitionId);

    /// <summary>The name of a partition's checkpoint blob.</summary>
    public string CheckpointBlobName(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId) =>
        Folder(fullyQualifiedNamespace, eventHubName, consumerGroup, "checkpoint") + ValidPartition(partitionId);

    public override async Task<IEnumerable<EventProcessorPartitionOwnership>> ListOwnershipAsync(string fullyQualifiedNamespace, string eventHubName,
        string consumerGroup, CancellationToken cancellationToken)
    {
        var folder = Folder(fullyQualifiedNamespace, eventHubName, consumerGroup, "ownership");
        var owned = new List<EventProcessorPartitionOwnership>();
        await foreach (var blob in _container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, folder, cancellationToken).ConfigureAwait(false))
        {
            owned.Add(new EventProcessorPartitionOwnership
            {
                FullyQualifiedNamespace = fullyQualifiedNamespace,
                EventHubName = eventHubName,
                ConsumerGroup = consumerGroup,
                PartitionId = blob.Name[folder.Length..],
                // a blob without an owner (released) lists with an empty owner: the balancer treats it as claimable
                OwnerIdentifier = blob.Metadata.TryGetValue(OwnerIdentifierKey, out var owner) ? owner : string.Empty,
                LastModifiedTime = blob.Properties.LastModified.GetValueOrDefault(),
                Version = Unquote(blob.Properties.ETag),
            });
        }
        return owned;
    }

    public override async Task<IEnumerable<EventProcessorPartitionOwnership>> ClaimOwnershipAsync(IEnumerable<EventProcessorPartitionOwnership> desiredOwnership,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desiredOwnership);
        var claimed = new List<EventProcessorPartitionOwnership>();
        foreach (var ownership in desiredOwnership)
        {
            var blob = _container.GetBlobClient(OwnershipBlobName(ownership.FullyQualifiedNamespace, ownership.EventHubName, ownership.ConsumerGroup, ownership.PartitionId));
            var metadata = new Dictionary<string, string> { [OwnerIdentifierKey] = ownership.OwnerIdentifier ?? string.Empty };
            try
            {
                if (ownership.Version is { } version)
                {
                    try
                    {
                        var updated = await blob.SetMetadataAsync(metadata, new BlobRequestConditions { IfMatch = new ETag(version) }, cancellationToken).ConfigureAwait(false);
                        claimed.Add(Claimed(ownership, updated.Value.LastModified, updated.Value.ETag));
                        continue;
                    }
                    catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.BlobNotFound)
                    {
                        // deleted under us: claim it as a new one
                    }
                }
                using var empty = new MemoryStream([]);
                var created = await blob.UploadAsync(empty, new BlobUploadOptions
                {
                    Metadata = metadata,
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                }, cancellationToken).ConfigureAwait(false);
                claimed.Add(Claimed(ownership, created.Value.LastModified, created.Value.ETag));
            }
            catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ConditionNotMet || e.ErrorCode == BlobErrorCode.BlobAlreadyExists
                || e.Status == 412 || e.Status == 409)
            {
                // another instance claimed it first (stale ETag, or created it since we listed): not ours
            }
        }
        return claimed;
    }

    public override async Task<EventProcessorCheckpoint?> GetCheckpointAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup,
        string partitionId, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(CheckpointBlobName(fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId));
        BlobProperties properties;
        try
        {
            properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.BlobNotFound || e.Status == 404)
        {
            return null;
        }
        if (ReadPosition(properties.Metadata) is not { } position)
        {
            return null;
        }
        return new EventProcessorCheckpoint
        {
            FullyQualifiedNamespace = fullyQualifiedNamespace,
            EventHubName = eventHubName,
            ConsumerGroup = consumerGroup,
            PartitionId = partitionId,
            ClientIdentifier = properties.Metadata.TryGetValue(ClientIdentifierKey, out var client) ? client : null,
            LastModified = properties.LastModified,
            StartingPosition = position,
        };
    }

    [Obsolete("The processor checkpoints with a CheckpointPosition; this overload serves older callers of the abstract store.")]
    public override Task UpdateCheckpointAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId,
        long offset, long? sequenceNumber, CancellationToken cancellationToken) =>
        WriteCheckpointAsync(fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId, null,
            offset.ToString(CultureInfo.InvariantCulture), sequenceNumber, cancellationToken);

    public override Task UpdateCheckpointAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId,
        string clientIdentifier, CheckpointPosition startingPosition, CancellationToken cancellationToken) =>
        WriteCheckpointAsync(fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId, clientIdentifier,
            startingPosition.OffsetString, startingPosition.SequenceNumber, cancellationToken);

    /// <summary>
    /// Where a checkpoint starts: after its offset when one is recorded (the standard store's
    /// preference), else after its sequence number; null when neither parses.
    /// </summary>
    private static EventPosition? ReadPosition(IDictionary<string, string> metadata)
    {
        if (metadata.TryGetValue(OffsetKey, out var offset) && !string.IsNullOrWhiteSpace(offset)
            && long.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return EventPosition.FromOffset(offset, isInclusive: false);
        }
        if (metadata.TryGetValue(SequenceNumberKey, out var sequence)
            && long.TryParse(sequence, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var sequenceNumber))
        {
            return EventPosition.FromSequenceNumber(sequenceNumber, isInclusive: false);
        }
        return null;
    }

    private async Task WriteCheckpointAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId,
        string? clientIdentifier, string? offset, long? sequenceNumber, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(CheckpointBlobName(fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId));
        var metadata = new Dictionary<string, string>
        {
            [OffsetKey] = offset ?? string.Empty,
            [SequenceNumberKey] = sequenceNumber?.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
        };
        if (clientIdentifier is not null)
        {
            metadata[ClientIdentifierKey] = clientIdentifier;
        }
        try
        {
            await blob.SetMetadataAsync(metadata, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.BlobNotFound)
        {
            using var empty = new MemoryStream([]);
            await blob.UploadAsync(empty, new BlobUploadOptions { Metadata = metadata }, cancellationToken).ConfigureAwait(false);
        }
    }

    private static EventProcessorPartitionOwnership Claimed(EventProcessorPartitionOwnership desired, DateTimeOffset lastModified, ETag etag) => new()
    {
        FullyQualifiedNamespace = desired.FullyQualifiedNamespace,
        EventHubName = desired.EventHubName,
        ConsumerGroup = desired.ConsumerGroup,
        PartitionId = desired.PartitionId,
        OwnerIdentifier = desired.OwnerIdentifier,
        LastModifiedTime = lastModified,
        Version = Unquote(etag),
    };

    // the storage SDK returns ETags in quotes; the standard store keeps them without, and the If-Match header takes either
    private static string? Unquote(ETag? etag) => etag?.ToString().Trim('"');

    private string Folder(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fullyQualifiedNamespace);
        ArgumentException.ThrowIfNullOrWhiteSpace(eventHubName);
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerGroup);
        return string.Create(CultureInfo.InvariantCulture,
            $"{_prefix}{fullyQualifiedNamespace.ToLowerInvariant()}/{eventHubName.ToLowerInvariant()}/{consumerGroup.ToLowerInvariant()}/{kind}/");
    }

    // partition ids come from the service: refuse anything that would leave the folder
    private static string ValidPartition(string partitionId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(partitionId);
        if (partitionId.Contains('/', StringComparison.Ordinal) || partitionId.Contains('\\', StringComparison.Ordinal) || partitionId is "." or ".." || partitionId.Length > 64)
        {
            throw new ArgumentException($"'{partitionId}' is not a partition id", nameof(partitionId));
        }
        return partitionId;
    }
}
