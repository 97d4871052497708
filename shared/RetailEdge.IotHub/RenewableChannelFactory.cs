using RetailEdge.Mqtt;

namespace RetailEdge.IotHub;

/// <summary>
/// Wraps the real channel factory and remembers the open channel, so the client can drop it when
/// the SAS token is due for renewal: the MQTT client then reconnects through its credentials
/// callback with a fresh token and resends unacknowledged publishes (PROTOCOLS.md: renew with 15 %
/// of the lifetime left by reconnecting).
/// </summary>
internal sealed class RenewableChannelFactory(IMqttChannelFactory inner) : IMqttChannelFactory
{
    private readonly object _gate = new();
    private IMqttChannel? _current;

    public async ValueTask<IMqttChannel> ConnectAsync(CancellationToken cancellationToken)
    {
        var channel = await inner.ConnectAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _current = channel;
        }
        return channel;
    }

    /// <summary>Closes the open channel (the MQTT client sees a lost connection); false when none is open.</summary>
    public async Task<bool> DropCurrentAsync()
    {
        IMqttChannel? channel;
        lock (_gate)
        {
            channel = _current;
            _current = null;
        }
        if (channel is null)
        {
            return false;
        }
        await channel.DisposeAsync().ConfigureAwait(false);
        return true;
    }
}
