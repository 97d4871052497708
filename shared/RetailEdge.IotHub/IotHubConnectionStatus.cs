namespace RetailEdge.IotHub;

/// <summary>Where an <see cref="IotHubModuleClient"/> is in its life.</summary>
public enum IotHubConnectionStatus
{
    /// <summary>Not opened yet.</summary>
    Disconnected = 0,

    /// <summary>Opening: the first connection is being made.</summary>
    Connecting,

    /// <summary>Connected and subscribed.</summary>
    Connected,

    /// <summary>The connection was lost (or is being renewed with a fresh token); reconnecting with back-off.</summary>
    Reconnecting,

    /// <summary>Closed by the application; open again to reconnect.</summary>
    Closed,
}
