namespace RetailEdge.Mqtt;

/// <summary>A channel over a <see cref="Stream"/>: a NetworkStream, or an SslStream over one.</summary>
public sealed class MqttStreamChannel : IMqttChannel
{
    private readonly Stream _stream;
    private readonly IDisposable? _owner;
    private int _disposed;

    /// <param name="stream">the connected stream; disposed with the channel</param>
    /// <param name="remoteEndPoint">the peer, for logs</param>
    /// <param name="owner">something else to dispose with the channel, e.g. the socket</param>
    public MqttStreamChannel(Stream stream, string remoteEndPoint, IDisposable? owner = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _owner = owner;
        RemoteEndPoint = remoteEndPoint ?? string.Empty;
    }

    public string RemoteEndPoint { get; }

    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _stream.ReadAsync(buffer, cancellationToken);

    public ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken) =>
        _stream.WriteAsync(buffer, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // closing a broken TLS stream may fail to send close_notify; the socket goes anyway
        }
        _owner?.Dispose();
    }
}
