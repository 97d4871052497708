using System.Globalization;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace RetailEdge.HubEmulator.EventHubs;

/// <summary>
/// Builds the AMQP message a consumer receives for a stored event, as IoT Hub's built-in
/// endpoint delivers it: the body as one data section; message id, correlation id, content
/// type and encoding in the properties; the device's application properties; and the IoT Hub
/// and Event Hubs annotations (device and module id, auth generation, enqueue times, sequence
/// number, offset as a string).
/// </summary>
public static class EventMessages
{
    public const string DeviceIdAnnotation = "iothub-connection-device-id";
    public const string ModuleIdAnnotation = "iothub-connection-module-id";
    public const string GenerationIdAnnotation = "iothub-connection-auth-generation-id";
    public const string AuthMethodAnnotation = "iothub-connection-auth-method";
    public const string HubEnqueuedTimeAnnotation = "iothub-enqueuedtime";
    public const string MessageSourceAnnotation = "iothub-message-source";
    public const string SequenceNumberAnnotation = "x-opt-sequence-number";
    public const string OffsetAnnotation = "x-opt-offset";
    public const string EnqueuedTimeAnnotation = "x-opt-enqueued-time";

    public static AmqpMessage Create(StoredEvent stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var message = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(stored.Body) });
        if (stored.MessageId is not null)
        {
            message.Properties.MessageId = stored.MessageId;
        }
        if (stored.CorrelationId is not null)
        {
            message.Properties.CorrelationId = stored.CorrelationId;
        }
        if (stored.ContentType is not null)
        {
            message.Properties.ContentType = new AmqpSymbol(stored.ContentType);
        }
        if (stored.ContentEncoding is not null)
        {
            message.Properties.ContentEncoding = new AmqpSymbol(stored.ContentEncoding);
        }
        foreach (var (name, value) in stored.Properties)
        {
            message.ApplicationProperties.Map[name] = value;
        }
        var annotations = message.MessageAnnotations.Map;
        var enqueued = stored.EnqueuedTime.UtcDateTime;
        annotations[new AmqpSymbol(DeviceIdAnnotation)] = stored.DeviceId;
        if (stored.ModuleId is not null)
        {
            annotations[new AmqpSymbol(ModuleIdAnnotation)] = stored.ModuleId;
        }
        if (!string.IsNullOrEmpty(stored.GenerationId))
        {
            annotations[new AmqpSymbol(GenerationIdAnnotation)] = stored.GenerationId;
        }
        annotations[new AmqpSymbol(AuthMethodAnnotation)] =
            $"{{\"scope\":\"{(stored.ModuleId is null ? "device" : "module")}\",\"type\":\"sas\",\"issuer\":\"iothub\",\"acceptingIpFilterRule\":null}}";
        annotations[new AmqpSymbol(HubEnqueuedTimeAnnotation)] = enqueued;
        annotations[new AmqpSymbol(MessageSourceAnnotation)] = "Telemetry";
        annotations[new AmqpSymbol(SequenceNumberAnnotation)] = stored.SequenceNumber;
        annotations[new AmqpSymbol(OffsetAnnotation)] = stored.Offset.ToString(CultureInfo.InvariantCulture);
        annotations[new AmqpSymbol(EnqueuedTimeAnnotation)] = enqueued;
        return message;
    }
}
