namespace RetailEdge.Mqtt;

/// <summary>Where an <see cref="MqttClient"/> is in its life.</summary>
public enum MqttConnectionState
{
    Disconnected,
    Connecting,
    Connected,

    /// <summary>Stopped for good: disconnected by the application, disposed, or lost without auto-reconnect.</summary>
    Closed,
}
