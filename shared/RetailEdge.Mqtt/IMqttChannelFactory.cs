namespace RetailEdge.Mqtt;

/// <summary>Opens a new channel to the server; the client calls it for every (re)connect.</summary>
public interface IMqttChannelFactory
{
    ValueTask<IMqttChannel> ConnectAsync(CancellationToken cancellationToken);
}
