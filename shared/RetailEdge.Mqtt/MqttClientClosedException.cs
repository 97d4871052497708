namespace RetailEdge.Mqtt;

/// <summary>
/// The client stopped (disconnect, dispose, or a lost connection without auto-reconnect) while an
/// operation waited; a QoS 1 publish failed this way may or may not have reached the server.
/// </summary>
public sealed class MqttClientClosedException : Exception
{
    public MqttClientClosedException()
        : base("the MQTT client is closed")
    {
    }

    public MqttClientClosedException(string message)
        : base(message)
    {
    }

    public MqttClientClosedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
