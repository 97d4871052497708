namespace RetailEdge.StoreGateway.Core;

/// <summary>The hub did not acknowledge (offline, refused, timed out): the batch stays in the outbox and is retried.</summary>
public sealed class HubTransportException : Exception
{
    public HubTransportException()
    {
    }

    public HubTransportException(string message)
        : base(message)
    {
    }

    public HubTransportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
