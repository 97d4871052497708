namespace RetailEdge.Mqtt;

/// <summary>The server answered CONNECT with a non-zero return code (spec 3.2.2.3).</summary>
public sealed class MqttConnectException : Exception
{
    public MqttConnectException()
        : this(MqttConnectReturnCode.ServerUnavailable)
    {
    }

    public MqttConnectException(string message)
        : base(message)
    {
        ReturnCode = MqttConnectReturnCode.ServerUnavailable;
    }

    public MqttConnectException(string message, Exception innerException)
        : base(message, innerException)
    {
        ReturnCode = MqttConnectReturnCode.ServerUnavailable;
    }

    public MqttConnectException(MqttConnectReturnCode returnCode)
        : base($"the MQTT server refused the connection: {returnCode} ({(byte)returnCode})")
    {
        ReturnCode = returnCode;
    }

    public MqttConnectReturnCode ReturnCode { get; }
}
