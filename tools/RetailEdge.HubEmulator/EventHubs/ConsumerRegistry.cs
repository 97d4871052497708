using Microsoft.Azure.Amqp;

namespace RetailEdge.HubEmulator.EventHubs;

/// <summary>
/// The open receivers per consumer group and partition, and Event Hubs' owner-level rule: a
/// receiver with an owner level (epoch) closes every receiver with the same, a lower or no owner level
/// (amqp:link:stolen); a receiver with a lower owner level than one already attached, or
/// without one while an owner-level receiver is attached, is refused. At most
/// <see cref="MaxReceiversPerPartition"/> receivers read one partition of one group.
/// </summary>
internal sealed class ConsumerRegistry
{
    public const int MaxReceiversPerPartition = 5;
    private readonly object _gate = new();
    private readonly Dictionary<string, List<PartitionConsumer>> _byEntity = new(StringComparer.Ordinal);

    /// <summary>Registers a receiver, evicting the ones it supersedes.</summary>
    /// <exception cref="AmqpException">the receiver is refused by the owner-level rule or the receiver limit</exception>
    public void Add(PartitionConsumer consumer)
    {
        List<PartitionConsumer> evicted;
        lock (_gate)
        {
            if (!_byEntity.TryGetValue(consumer.Entity.Path, out var consumers))
            {
                consumers = [];
                _byEntity[consumer.Entity.Path] = consumers;
            }
            consumers.RemoveAll(c => c.IsClosed);
            var highest = consumers.Where(c => c.OwnerLevel is not null).Select(c => c.OwnerLevel!.Value).DefaultIfEmpty(long.MinValue).Max();
            var hasOwner = consumers.Exists(c => c.OwnerLevel is not null);
            if (consumer.OwnerLevel is null)
            {
                if (hasOwner)
                {
                    throw new AmqpException(AmqpErrorCode.Stolen, $"a receiver with owner level {highest} holds {consumer.Entity.Path}: a receiver without an owner level may not attach");
                }
                if (consumers.Count >= MaxReceiversPerPartition)
                {
                    throw new AmqpException(AmqpErrorCode.ResourceLimitExceeded, $"at most {MaxReceiversPerPartition} receivers may read {consumer.Entity.Path}");
                }
                evicted = [];
            }
            else
            {
                if (hasOwner && highest > consumer.OwnerLevel)
                {
                    throw new AmqpException(AmqpErrorCode.Stolen, $"a receiver with the higher owner level {highest} holds {consumer.Entity.Path}");
                }
                evicted = consumers.Where(c => c.OwnerLevel is null || c.OwnerLevel <= consumer.OwnerLevel).ToList();
                consumers.RemoveAll(evicted.Contains);
                if (consumers.Count >= MaxReceiversPerPartition)
                {
                    throw new AmqpException(AmqpErrorCode.ResourceLimitExceeded, $"at most {MaxReceiversPerPartition} receivers may read {consumer.Entity.Path}");
                }
            }
            consumers.Add(consumer);
            consumer.Closed += (_, _) => Remove(consumer);
        }
        foreach (var old in evicted)
        {
            old.Evict($"a receiver with owner level {consumer.OwnerLevel} took {consumer.Entity.Path}");
        }
    }

    public void RemoveConnection(AmqpConnection connection)
    {
        lock (_gate)
        {
            foreach (var consumers in _byEntity.Values)
            {
                consumers.RemoveAll(c => ReferenceEquals(c.Connection, connection));
            }
        }
    }

    public void CloseAll()
    {
        List<PartitionConsumer> all;
        lock (_gate)
        {
            all = _byEntity.Values.SelectMany(c => c).ToList();
            _byEntity.Clear();
        }
        foreach (var consumer in all)
        {
            consumer.Evict("the emulator is stopping");
        }
    }

    private void Remove(PartitionConsumer consumer)
    {
        lock (_gate)
        {
            if (_byEntity.TryGetValue(consumer.Entity.Path, out var consumers))
            {
                consumers.Remove(consumer);
            }
        }
    }
}
