using Microsoft.Azure.Amqp;

namespace RetailEdge.HubEmulator.EventHubs;

/// <summary>
/// A receiver's address, <c>{hub}/ConsumerGroups/{group}/Partitions/{id}</c>, alone or after the endpoint (names compared
/// without case, as Event Hubs does), resolved to its partition; anything else is refused with
/// an AMQP error naming what is wrong.
/// </summary>
internal sealed record EntityAddress(string Path, string ConsumerGroup, PartitionLog Partition)
{
    public static EntityAddress Parse(string address, string eventHubName, EventHubLog log, Func<string, bool> consumerGroupExists)
    {
        // clients name the path (the .NET client with a leading '/') or the whole endpoint (amqps://host:port/hub/…)
        if (address.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "amqp" or "amqps" or "sb")
        {
            address = Uri.UnescapeDataString(uri.AbsolutePath);
        }
        var parts = address.TrimStart('/').Split('/');
        if (parts.Length != 5 || !string.Equals(parts[0], eventHubName, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(parts[1], "ConsumerGroups", StringComparison.OrdinalIgnoreCase)
            || !string.Equals(parts[3], "Partitions", StringComparison.OrdinalIgnoreCase))
        {
            throw new AmqpException(AmqpErrorCode.NotFound, $"the address '{Shorten(address)}' is not {eventHubName}/ConsumerGroups/<group>/Partitions/<id>");
        }
        if (!consumerGroupExists(parts[2]))
        {
            throw new AmqpException(AmqpErrorCode.NotFound, $"consumer group '{Shorten(parts[2])}' does not exist: create it in the registry file or with PUT /eventHubEndpoints/events/ConsumerGroups/<name>");
        }
        var partition = log.Partition(parts[4])
            ?? throw new AmqpException(AmqpErrorCode.NotFound, $"partition '{Shorten(parts[4])}' does not exist: the partitions are {string.Join(", ", log.PartitionIds)}");
        var consumerGroup = parts[2].ToLowerInvariant();
        return new EntityAddress($"{eventHubName}/ConsumerGroups/{consumerGroup}/Partitions/{partition.PartitionId}", consumerGroup, partition);
    }

    private static string Shorten(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
