namespace StoreGateway;

/// <summary>The configuration cannot work; the message names the setting and what it must be.</summary>
public sealed class StoreGatewayConfigurationException : Exception
{
    public StoreGatewayConfigurationException()
    {
    }

    public StoreGatewayConfigurationException(string message)
        : base(message)
    {
    }

    public StoreGatewayConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
