namespace RetailEdge.Mqtt;

/// <summary>What <see cref="MqttServer"/> does with an inbound PUBLISH after the application hook saw it.</summary>
public enum MqttPublishDisposition
{
    /// <summary>Deliver to matching subscribers, then acknowledge (QoS 1).</summary>
    Route,

    /// <summary>Acknowledge (QoS 1) without delivering: the application handled it.</summary>
    Acknowledge,

    /// <summary>Close the connection without acknowledging (the client will resend).</summary>
    Disconnect,
}
