namespace RetailEdge.Mqtt;

/// <summary>
/// A byte stream to one peer (TCP, TLS, or in memory for tests). The client and server frame
/// packets on it; nothing MQTT-specific lives here. Disposing closes the connection and makes
/// a pending read return 0 or throw.
/// </summary>
public interface IMqttChannel : IAsyncDisposable
{
    /// <summary>A description of the peer for logs, e.g. "127.0.0.1:50123".</summary>
    string RemoteEndPoint { get; }

    /// <summary>Reads at least one byte; 0 when the peer closed the connection.</summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Writes all of <paramref name="buffer"/>.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken);
}
