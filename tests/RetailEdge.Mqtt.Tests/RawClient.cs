namespace RetailEdge.Mqtt.Tests;

/// <summary>Speaks bytes on a channel, to send what a well-behaved client never would.</summary>
internal sealed class RawClient(IMqttChannel channel) : IAsyncDisposable
{
    private readonly List<byte> _received = [];

    public Task SendAsync(MqttPacket packet) => SendAsync(MqttPacketEncoder.Encode(packet));

    public async Task SendAsync(byte[] bytes) => await channel.WriteAsync(bytes, CancellationToken.None);

    public Task ConnectAsync(string clientId, ushort keepAliveSeconds = 30, byte protocolLevel = 4) =>
        SendAsync(new MqttConnectPacket { ClientId = clientId, KeepAliveSeconds = keepAliveSeconds, ProtocolLevel = protocolLevel });

    /// <summary>The next packet, or null when the server closed the connection.</summary>
    public async Task<MqttPacket?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        while (true)
        {
            if (MqttPacketDecoder.TryDecode(_received.ToArray(), int.MaxValue, out var packet, out var consumed))
            {
                _received.RemoveRange(0, consumed);
                return packet;
            }
            int read;
            try
            {
                read = await channel.ReadAsync(buffer, cts.Token);
            }
            catch (IOException)
            {
                return null;
            }
            if (read == 0)
            {
                return null;
            }
            _received.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }

    /// <summary>Reads until the server closes; fails if it does not within the timeout.</summary>
    public async Task WaitClosedAsync(TimeSpan? timeout = null)
    {
        while (await ReceiveAsync(timeout) is not null)
        {
        }
    }

    public ValueTask DisposeAsync() => channel.DisposeAsync();
}
