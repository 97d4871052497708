using System.Buffers;

namespace RetailEdge.Mqtt;

/// <summary>
/// Frames packets on a channel: reads fixed headers, enforces the maximum packet size before
/// buffering a body, decodes; encodes and writes one packet at a time. Shared by client and server.
/// </summary>
internal sealed class MqttPacketTransport : IAsyncDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly IMqttChannel _channel;
    private readonly int _maxPacketSize;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _start;
    private int _end;
    private int _disposed;

    public MqttPacketTransport(IMqttChannel channel, int maxPacketSize)
    {
        _channel = channel;
        _maxPacketSize = maxPacketSize;
    }

    public string RemoteEndPoint => _channel.RemoteEndPoint;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>The next packet, or null when the peer closed the connection cleanly between packets.</summary>
    public async ValueTask<MqttPacket?> ReceiveAsync(CancellationToken cancellationToken)
    {
        byte firstByte;
        int remaining;
        int headerLength;
        while (!MqttPacketDecoder.TryReadFixedHeader(_buffer.AsSpan(_start, _end - _start), _maxPacketSize, out firstByte, out remaining, out headerLength))
        {
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                if (_end == _start)
                {
                    return null;
                }
                throw new MqttProtocolException(MqttProtocolError.MalformedLength, "connection closed inside a fixed header");
            }
        }
        var total = headerLength + remaining;
        if (total <= BufferSize)
        {
            while (_end - _start < total)
            {
                if (!await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new MqttProtocolException(MqttProtocolError.MalformedLength, "connection closed inside a packet");
                }
            }
            var packet = MqttPacketDecoder.DecodeBody(firstByte, _buffer.AsSpan(_start + headerLength, remaining));
            _start += total;
            return packet;
        }

        // A large packet: its size is already checked against the maximum, so this allocation is bounded.
        var body = new byte[remaining];
        _start += headerLength;
        var have = Math.Min(remaining, _end - _start);
        _buffer.AsSpan(_start, have).CopyTo(body);
        _start += have;
        while (have < remaining)
        {
            var read = await _channel.ReadAsync(body.AsMemory(have), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new MqttProtocolException(MqttProtocolError.MalformedLength, "connection closed inside a packet");
            }
            have += read;
        }
        return MqttPacketDecoder.DecodeBody(firstByte, body);
    }

    /// <summary>Encodes and writes one packet; concurrent senders are serialised.</summary>
    public async ValueTask SendAsync(MqttPacket packet, CancellationToken cancellationToken)
    {
        var length = MqttPacketEncoder.GetEncodedLength(packet);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = MqttPacketEncoder.Encode(packet, rented);
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _channel.WriteAsync(rented.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // a packet cut off mid-write leaves the stream unframeable: the connection is done
                await DisposeAsync().ConfigureAwait(false);
                throw;
            }
            finally
            {
                _writeLock.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _channel.DisposeAsync().ConfigureAwait(false);
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == BufferSize)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        var read = await _channel.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += read;
        return read > 0;
    }
}
