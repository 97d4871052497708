using MQTTnet;

namespace RetailEdge.IotHub;

/// <summary>The hub (or edgeHub) refused the CONNECT: wrong identity, key or token, or it is unavailable.</summary>
public sealed class IotHubConnectException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IotHubConnectException()
        : this("the IoT Hub refused the connection")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public IotHubConnectException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public IotHubConnectException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a CONNACK result.</summary>
    public IotHubConnectException(MqttClientConnectResultCode resultCode)
        : base($"the IoT Hub refused the connection: {resultCode}")
    {
        ResultCode = resultCode;
    }

    /// <summary>The CONNACK result.</summary>
    public MqttClientConnectResultCode ResultCode { get; }

    /// <summary>The identity, key or token was refused (retrying with the same credentials will not help).</summary>
    public bool IsAuthenticationFailure => ResultCode is MqttClientConnectResultCode.BadUserNameOrPassword or MqttClientConnectResultCode.NotAuthorized;
}
