using System.Globalization;
using System.Text.Json;
using Azure.Messaging.EventHubs;
using RetailEdge.Lakehouse;

namespace RetailEdge.EventHubsSource;

/// <summary>
/// An event read from IoT Hub's built-in endpoint as bronze keeps it: the device and module from
/// IoT Hub's annotations (iothub-connection-device-id, iothub-connection-module-id), message id,
/// content type and encoding from the AMQP properties, the application properties as a JSON object
/// of strings (the routed records' Properties shape), the body exactly as sent.
/// </summary>
public static class EventMapper
{
    public const string DeviceIdAnnotation = "iothub-connection-device-id";
    public const string ModuleIdAnnotation = "iothub-connection-module-id";

    public static StreamedEvent ToStreamedEvent(EventData eventData, string partitionId)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        var system = eventData.SystemProperties;
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in eventData.Properties)
        {
            properties[name] = value switch
            {
                null => string.Empty,
                DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
                DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? string.Empty,
            };
        }
        return new StreamedEvent(
            partitionId,
            eventData.SequenceNumber,
            eventData.OffsetString,
            eventData.EnqueuedTime,
            Text(system, DeviceIdAnnotation),
            Text(system, ModuleIdAnnotation),
            eventData.MessageId,
            eventData.ContentType,
            eventData.GetRawAmqpMessage().Properties.ContentEncoding, // the AMQP properties section, where IoT Hub puts a message's $.ce
            JsonSerializer.Serialize(properties, EventHubsJsonContext.Default.DictionaryStringString),
            eventData.EventBody.ToArray());
    }

    private static string? Text(IReadOnlyDictionary<string, object> properties, string name) =>
        properties.TryGetValue(name, out var value) && value is not null ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;
}
