using System.Threading.Channels;

namespace RetailEdge.Mqtt;

/// <summary>
/// One end of an in-memory connection (tests, and in-process server use). Writes are copied
/// into a bounded queue of chunks read by the other end, so a slow reader slows the writer.
/// </summary>
public sealed class MqttInMemoryChannel : IMqttChannel
{
    private readonly Channel<byte[]> _incoming;
    private readonly Channel<byte[]> _outgoing;
    private byte[]? _current;
    private int _offset;

    private MqttInMemoryChannel(Channel<byte[]> incoming, Channel<byte[]> outgoing, string remoteEndPoint)
    {
        _incoming = incoming;
        _outgoing = outgoing;
        RemoteEndPoint = remoteEndPoint;
    }

    public string RemoteEndPoint { get; }

    /// <summary>Two connected ends: what one writes, the other reads.</summary>
    public static (MqttInMemoryChannel Client, MqttInMemoryChannel Server) CreatePair(int capacityInChunks = 64)
    {
        var toServer = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(capacityInChunks) { SingleReader = true });
        var toClient = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(capacityInChunks) { SingleReader = true });
        return (new MqttInMemoryChannel(toClient, toServer, "memory:server"), new MqttInMemoryChannel(toServer, toClient, "memory:client"));
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_current is null || _offset == _current.Length)
        {
            if (!await _incoming.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) || !_incoming.Reader.TryRead(out _current))
            {
                _current = null;
                return 0;
            }
            _offset = 0;
        }
        var count = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsMemory(_offset, count).CopyTo(buffer);
        _offset += count;
        return count;
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.IsEmpty)
        {
            return;
        }
        try
        {
            await _outgoing.Writer.WriteAsync(buffer.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            throw new IOException("the in-memory connection is closed", ex);
        }
    }

    /// <summary>Closes both directions, like closing a socket.</summary>
    public ValueTask DisposeAsync()
    {
        _outgoing.Writer.TryComplete();
        _incoming.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
