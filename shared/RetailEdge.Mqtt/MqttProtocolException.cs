namespace RetailEdge.Mqtt;

/// <summary>
/// A peer broke the MQTT 3.1.1 rules, or a packet could not be encoded. The spec's answer to a
/// malformed packet is to close the network connection (spec 4.8), which is what the client and
/// server do when they catch this.
/// </summary>
public sealed class MqttProtocolException : Exception
{
    public MqttProtocolException()
        : this(MqttProtocolError.InvalidField, "MQTT protocol violation")
    {
    }

    public MqttProtocolException(string message)
        : this(MqttProtocolError.InvalidField, message)
    {
    }

    public MqttProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = MqttProtocolError.InvalidField;
    }

    public MqttProtocolException(MqttProtocolError error, string message)
        : base(message)
    {
        Error = error;
    }

    public MqttProtocolException(MqttProtocolError error, string message, Exception innerException)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>The reason code.</summary>
    public MqttProtocolError Error { get; }
}
