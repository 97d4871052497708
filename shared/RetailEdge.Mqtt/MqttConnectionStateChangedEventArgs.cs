namespace RetailEdge.Mqtt;

/// <summary>A state change of <see cref="MqttClient"/>, with why it happened.</summary>
public sealed class MqttConnectionStateChangedEventArgs(MqttConnectionState state, bool sessionPresent, Exception? reason) : EventArgs
{
    public MqttConnectionState State { get; } = state;

    /// <summary>On <see cref="MqttConnectionState.Connected"/>: whether the server kept our session (CONNACK, spec 3.2.2.2).</summary>
    public bool SessionPresent { get; } = sessionPresent;

    /// <summary>What closed the connection or failed the attempt, when known.</summary>
    public Exception? Reason { get; } = reason;
}
