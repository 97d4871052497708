namespace RetailEdge.Mqtt.Tests;

/// <summary>The server end of an in-memory pair, driven packet by packet by the test.</summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private readonly RawClient _raw;
    private Task<MqttPacket?>? _pending;

    public ScriptedServer(IMqttChannel channel)
    {
        _raw = new RawClient(channel);
    }

    public bool HasPacket
    {
        get
        {
            _pending ??= _raw.ReceiveAsync(TimeSpan.FromSeconds(30));
            return _pending.IsCompleted;
        }
    }

    public async Task<MqttPacket?> NextAsync()
    {
        var pending = _pending ?? _raw.ReceiveAsync(TimeSpan.FromSeconds(10));
        _pending = null;
        return await pending.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public Task SendAsync(MqttPacket packet) => _raw.SendAsync(packet);

    public Task SendRawAsync(byte[] bytes) => _raw.SendAsync(bytes);

    public ValueTask DisposeAsync() => _raw.DisposeAsync();
}
