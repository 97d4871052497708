namespace RetailEdge.Mqtt;

/// <summary>A client connected to or disconnected from <see cref="MqttServer"/>.</summary>
public sealed class MqttServerClientEventArgs(string clientId, string remoteEndPoint, Exception? reason) : EventArgs
{
    public string ClientId { get; } = clientId;

    public string RemoteEndPoint { get; } = remoteEndPoint;

    /// <summary>On disconnect: why, when it was not a DISCONNECT packet.</summary>
    public Exception? Reason { get; } = reason;
}
