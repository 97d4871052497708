using System.Globalization;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace RetailEdge.HubEmulator.EventHubs;

/// <summary>
/// The <c>$management</c> node: READ of <c>com.microsoft:eventhub</c> (name, creation time,
/// partition ids) and of <c>com.microsoft:partition</c> (begin and last sequence number, last
/// offset and enqueue time, whether it is empty). A request is authorised by its
/// <c>security_token</c> or by a token the connection put on $cbs.
/// </summary>
internal sealed class ManagementNode(EventHubLog log, EventHubsAuthorizer authorizer, TimeProvider timeProvider)
{
    public const string EventHubType = "com.microsoft:eventhub";
    public const string PartitionType = "com.microsoft:partition";

    public AmqpMessage Handle(AmqpMessage request, ConnectionState state)
    {
        var properties = request.ApplicationProperties?.Map;
        if (properties is null)
        {
            return RequestResponse.Status(400, "a $management request needs application properties operation, type and name");
        }
        var token = properties["security_token"] as string;
        var managementPath = log.Name + "/$management";
        if (token is not null)
        {
            if (!authorizer.TryAuthorize(token, out var scope, out var error))
            {
                return RequestResponse.Status(401, "Unauthorized: " + error);
            }
            if (!scope!.Covers(managementPath, timeProvider.GetUtcNow()))
            {
                return RequestResponse.Status(401, "Unauthorized: the security_token does not cover " + managementPath);
            }
        }
        else if (!state.IsAuthorized(managementPath, timeProvider.GetUtcNow()))
        {
            return RequestResponse.Status(401, "Unauthorized: put a token on $cbs or send a security_token");
        }
        if (properties["operation"] as string != "READ")
        {
            return RequestResponse.Status(400, "the only $management operation is READ");
        }
        if (!string.Equals(properties["name"] as string, log.Name, StringComparison.OrdinalIgnoreCase))
        {
            return RequestResponse.Status(404, $"the event hub is '{log.Name}'");
        }
        switch (properties["type"] as string)
        {
            case EventHubType:
                return Reply(new AmqpMap
                {
                    [new MapKey("name")] = log.Name,
                    [new MapKey("type")] = EventHubType,
                    [new MapKey("created_at")] = log.CreatedAt.UtcDateTime,
                    [new MapKey("partition_count")] = log.PartitionIds.Count,
                    [new MapKey("partition_ids")] = log.PartitionIds.ToArray(),
                });
            case PartitionType:
                var partition = properties["partition"] is string id ? log.Partition(id) : null;
                if (partition is null)
                {
                    return RequestResponse.Status(404, $"the partitions are {string.Join(", ", log.PartitionIds)}");
                }
                var info = partition.Info();
                return Reply(new AmqpMap
                {
                    [new MapKey("name")] = log.Name,
                    [new MapKey("type")] = PartitionType,
                    [new MapKey("partition")] = info.PartitionId,
                    [new MapKey("begin_sequence_number")] = info.BeginSequenceNumber,
                    [new MapKey("last_enqueued_sequence_number")] = info.LastSequenceNumber,
                    [new MapKey("last_enqueued_offset")] = info.LastOffset.ToString(CultureInfo.InvariantCulture),
                    [new MapKey("last_enqueued_time_utc")] = info.LastEnqueuedTime.UtcDateTime,
                    [new MapKey("is_partition_empty")] = info.IsEmpty,
                    [new MapKey("runtime_info_retrieval_time_utc")] = timeProvider.GetUtcNow().UtcDateTime,
                });
            default:
                return RequestResponse.Status(400, $"the type must be {EventHubType} or {PartitionType}");
        }
    }

    private static AmqpMessage Reply(AmqpMap body) =>
        RequestResponse.WithStatus(AmqpMessage.Create(new AmqpValue { Value = body }), 200, "OK");
}
