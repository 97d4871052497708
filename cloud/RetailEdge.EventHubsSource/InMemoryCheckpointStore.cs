using System.Globalization;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;

namespace RetailEdge.EventHubsSource;

/// <summary>
/// Ownership and checkpoints in this process's memory, for a single instance without blob storage
/// (the demo). Claims follow the same rules as <see cref="BlobCheckpointStore"/> (a version per
/// ownership; a stale or missing version loses), but nothing survives the process: a restart starts
/// each partition after what bronze holds (<see cref="BronzeEventProcessor"/>), so it still lands
/// nothing twice. Instances in other processes cannot share partitions through it.
/// </summary>
public sealed class InMemoryCheckpointStore : CheckpointStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Namespace, string Hub, string Group, string Partition), EventProcessorPartitionOwnership> _owners = [];
    private readonly Dictionary<(string Namespace, string Hub, string Group, string Partition), EventProcessorCheckpoint> _checkpoints = [];
    private long _version;

    public override Task<IEnumerable<EventProcessorPartitionOwnership>> ListOwnershipAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup,
        CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IEnumerable<EventProcessorPartitionOwnership>>(
                [.. _owners.Where(o => o.Key.Namespace == fullyQualifiedNamespace && o.Key.Hub == eventHubName && o.Key.Group == consumerGroup).Select(o => o.Value)]);
        }
    }

    public override Task<IEnumerable<EventProcessorPartitionOwnership>> ClaimOwnershipAsync(IEnumerable<EventProcessorPartitionOwnership> desiredOwnership,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desiredOwnership);
        var claimed = new List<EventProcessorPartitionOwnership>();
        lock (_gate)
        {
            foreach (var desired in desiredOwnership)
            {
                var key = (desired.FullyQualifiedNamespace, desired.EventHubName, desired.ConsumerGroup, desired.PartitionId);
                var current = _owners.GetValueOrDefault(key);
                // the same optimistic rule as the blob store: the caller's version must be the current one (none for a new claim)
                if (current?.Version != desired.Version)
                {
                    continue;
                }
                var owned = new EventProcessorPartitionOwnership
                {
                    FullyQualifiedNamespace = desired.FullyQualifiedNamespace,
                    EventHubName = desired.EventHubName,
                    ConsumerGroup = desired.ConsumerGroup,
                    PartitionId = desired.PartitionId,
                    OwnerIdentifier = desired.OwnerIdentifier,
                    LastModifiedTime = DateTimeOffset.UtcNow,
                    Version = (++_version).ToString(CultureInfo.InvariantCulture),
                };
                _owners[key] = owned;
                claimed.Add(owned);
            }
        }
        return Task.FromResult<IEnumerable<EventProcessorPartitionOwnership>>(claimed);
    }

    public override Task<EventProcessorCheckpoint?> GetCheckpointAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId,
        CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_checkpoints.GetValueOrDefault((fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId)));
        }
    }

    [Obsolete("The processor checkpoints with a CheckpointPosition; this overload serves older callers of the abstract store.")]
    public override Task UpdateCheckpointAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId,
        long offset, long? sequenceNumber, CancellationToken cancellationToken) =>
        Update(fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId, null, EventPosition.FromOffset(offset, isInclusive: false));

    public override Task UpdateCheckpointAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId,
        string clientIdentifier, CheckpointPosition startingPosition, CancellationToken cancellationToken) =>
        Update(fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId, clientIdentifier,
            EventPosition.FromSequenceNumber(startingPosition.SequenceNumber, isInclusive: false));

    private Task Update(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId, string? clientIdentifier, EventPosition position)
    {
        lock (_gate)
        {
            _checkpoints[(fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId)] = new EventProcessorCheckpoint
            {
                FullyQualifiedNamespace = fullyQualifiedNamespace,
                EventHubName = eventHubName,
                ConsumerGroup = consumerGroup,
                PartitionId = partitionId,
                ClientIdentifier = clientIdentifier,
                LastModified = DateTimeOffset.UtcNow,
                StartingPosition = position,
            };
        }
        return Task.CompletedTask;
    }
}
