using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace RetailEdge.HubEmulator.EventHubs;

/// <summary>Replies of the $cbs and $management nodes: status-code and status-description application properties.</summary>
internal static class RequestResponse
{
    public const string StatusCode = "status-code";
    public const string StatusDescription = "status-description";

    public static AmqpMessage Status(int code, string description) => WithStatus(AmqpMessage.Create(), code, description);

    public static AmqpMessage WithStatus(AmqpMessage message, int code, string description)
    {
        message.ApplicationProperties ??= new ApplicationProperties();
        message.ApplicationProperties.Map[StatusCode] = code;
        message.ApplicationProperties.Map[StatusDescription] = description;
        return message;
    }
}
