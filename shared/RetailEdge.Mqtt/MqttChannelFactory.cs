namespace RetailEdge.Mqtt;

/// <summary>A channel factory from a delegate (in-memory pairs in tests, custom transports).</summary>
public sealed class MqttChannelFactory(Func<CancellationToken, ValueTask<IMqttChannel>> connectAsync) : IMqttChannelFactory
{
    private readonly Func<CancellationToken, ValueTask<IMqttChannel>> _connectAsync =
        connectAsync ?? throw new ArgumentNullException(nameof(connectAsync));

    public ValueTask<IMqttChannel> ConnectAsync(CancellationToken cancellationToken) => _connectAsync(cancellationToken);
}
