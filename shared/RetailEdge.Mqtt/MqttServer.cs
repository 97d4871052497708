using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RetailEdge.Mqtt;

/// <summary>
/// An MQTT 3.1.1 server for QoS 0/1 (the hub emulator's device endpoint): accepts TCP or TLS
/// connections, authenticates CONNECT through a callback, keeps clean and persistent sessions,
/// routes publishes to matching subscriptions, lets the application see (and decide on) every
/// inbound publish, publish to one client and disconnect a client. Retained messages are not
/// stored; QoS 2 closes the connection, as IoT Hub does.
/// </summary>
public sealed partial class MqttServer : IAsyncDisposable
{
    private readonly MqttServerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ServerConnection, Task> _connections = new();
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private TcpListener? _listener;
    private Task? _acceptLoop;
    private long _rejectedPackets;
    private long _droppedMessages;

    public MqttServer(MqttServerOptions options, ILogger<MqttServer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = options.TimeProvider;
    }

    public event EventHandler<MqttServerClientEventArgs>? ClientConnected;

    public event EventHandler<MqttServerClientEventArgs>? ClientDisconnected;

    /// <summary>The bound port (after <see cref="StartAsync"/>; useful with port 0).</summary>
    public int Port => (_listener?.LocalEndpoint as IPEndPoint)?.Port ?? _options.Port;

    /// <summary>Connections closed for a protocol violation, an oversized packet or QoS 2.</summary>
    public long RejectedPackets => Interlocked.Read(ref _rejectedPackets);

    /// <summary>Messages not delivered because a client's queue was full or it was offline at QoS 0.</summary>
    public long DroppedMessages => Interlocked.Read(ref _droppedMessages);

    /// <summary>Client ids with a live connection.</summary>
    public IReadOnlyCollection<string> ConnectedClientIds =>
        [.. _sessions.Values.Where(s => s.Connection is not null).Select(s => s.ClientId)];

    /// <summary>Starts listening and accepting connections.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_listener is not null)
        {
            throw new InvalidOperationException("the server is already started");
        }
        cancellationToken.ThrowIfCancellationRequested();
        _listener = new TcpListener(_options.Address, _options.Port);
        _listener.Start();
        Log.Listening(_logger, _listener.LocalEndpoint.ToString() ?? string.Empty, _options.ServerCertificate is not null);
        _acceptLoop = Task.Run(() => AcceptLoopAsync(_listener, _stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Serves one already-open channel (e.g. an in-memory pair) until it closes. The accept loop
    /// uses this for each TCP/TLS connection.
    /// </summary>
    public async Task HandleChannelAsync(IMqttChannel channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var transport = new MqttPacketTransport(channel, _options.MaxPacketSize);
        ServerConnection? connection = null;
        Exception? reason = null;
        try
        {
            connection = await AcceptConnectAsync(transport, linked.Token).ConfigureAwait(false);
            if (connection is null)
            {
                return;
            }
            var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[connection] = registered.Task;
            try
            {
                reason = await ServeAsync(connection).ConfigureAwait(false);
            }
            finally
            {
                registered.TrySetResult();
                _connections.TryRemove(connection, out _);
            }
        }
        catch (MqttProtocolException ex)
        {
            Interlocked.Increment(ref _rejectedPackets);
            Log.ProtocolViolation(_logger, connection?.ClientId ?? "(connecting)", channel.RemoteEndPoint, ex.Error, ex.Message);
            reason = ex;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or TimeoutException or ObjectDisposedException)
        {
            reason = ex;
        }
        finally
        {
            if (connection is not null)
            {
                await CloseAsync(connection, reason).ConfigureAwait(false);
            }
            await transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends a message to one connected client. Returns true once written (QoS 0) or acknowledged
    /// (QoS 1); false when the client is not connected or disconnects first.
    /// </summary>
    public async Task<bool> PublishAsync(string clientId, MqttApplicationMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        var packet = ToPacket(message);
        if (!_sessions.TryGetValue(clientId, out var session) || session.Connection is null)
        {
            return false;
        }
        var completion = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await EnqueueAsync(session, packet, completion, cancellationToken).ConfigureAwait(false);
        return await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Delivers a message to every matching subscription, as if a client had published it; returns the number of sessions it went to.</summary>
    public async Task<int> RouteAsync(MqttApplicationMessage message, CancellationToken cancellationToken = default)
    {
        var packet = ToPacket(message);
        var count = 0;
        foreach (var session in _sessions.Values)
        {
            var granted = session.MatchingQualityOfService(packet.Topic);
            if (granted is null)
            {
                continue;
            }
            // spec 3.3.5: delivered at the lower of the published and the granted QoS; RETAIN is 0
            // for a message sent because of an established subscription (spec 3.3.1-9)
            var qos = (MqttQualityOfService)Math.Min((byte)packet.QualityOfService, (byte)granted.Value);
            var copy = new MqttPublishPacket { Topic = packet.Topic, Payload = packet.Payload, QualityOfService = qos };
            if (await EnqueueAsync(session, copy, completion: null, cancellationToken).ConfigureAwait(false))
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>Closes a client's connection (its persistent session stays); false when not connected.</summary>
    public async Task<bool> DisconnectClientAsync(string clientId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_sessions.TryGetValue(clientId, out var session) || session.Connection is not { } connection)
        {
            return false;
        }
        await CloseAsync(connection, new OperationCanceledException("disconnected by the server application")).ConfigureAwait(false);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        foreach (var connection in _connections.Keys)
        {
            await CloseAsync(connection, new OperationCanceledException("server stopping")).ConfigureAwait(false);
        }
        try
        {
            await Task.WhenAll(_connections.Values).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // every connection was closed and cancelled; a task still running is an application hook ignoring its token
            Log.StopTimedOut(_logger, _connections.Count);
        }
        _listener?.Dispose();
    }

    private static MqttPublishPacket ToPacket(MqttApplicationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        MqttTopic.ValidateTopicName(message.Topic);
        if (message.QualityOfService > MqttQualityOfService.AtLeastOnce)
        {
            throw new ArgumentException("QoS 2 is not supported; use 0 or 1", nameof(message));
        }
        return new MqttPublishPacket { Topic = message.Topic, Payload = message.Payload, QualityOfService = message.QualityOfService };
    }

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }
            _ = Task.Run(() => ServeSocketAsync(socket, cancellationToken), CancellationToken.None);
        }
    }

    private async Task ServeSocketAsync(Socket socket, CancellationToken cancellationToken)
    {
        socket.NoDelay = true;
        var remote = socket.RemoteEndPoint?.ToString() ?? "unknown";
        IMqttChannel channel;
        var network = new NetworkStream(socket, ownsSocket: true);
        if (_options.ServerCertificate is { } certificate)
        {
            var ssl = new SslStream(network, leaveInnerStreamOpen: false);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_options.ConnectTimeout);
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, timeout.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // any handshake failure only ends this one connection
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.TlsFailed(_logger, remote, ex.Message);
                await ssl.DisposeAsync().ConfigureAwait(false);
                return;
            }
            channel = new MqttStreamChannel(ssl, remote);
        }
        else
        {
            channel = new MqttStreamChannel(network, remote);
        }
        try
        {
            await HandleChannelAsync(channel, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // one connection's failure must not stop the server
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ConnectionFailed(_logger, remote, ex);
        }
    }

    /// <summary>Reads CONNECT, authenticates, takes over or creates the session, answers CONNACK (spec 3.1, 3.2).</summary>
    private async Task<ServerConnection?> AcceptConnectAsync(MqttPacketTransport transport, CancellationToken cancellationToken)
    {
        var first = await transport.ReceiveAsync(cancellationToken).AsTask()
            .WaitAsync(_options.ConnectTimeout, _time, cancellationToken).ConfigureAwait(false);
        if (first is null)
        {
            return null;
        }
        if (first is not MqttConnectPacket connect)
        {
            throw new MqttProtocolException(MqttProtocolError.UnexpectedPacket, $"the first packet must be CONNECT, got {first.Type} (spec 3.1.0-1)");
        }
        if (connect.ProtocolLevel != MqttConnectPacket.ProtocolLevel311)
        {
            await RefuseAsync(transport, MqttConnectReturnCode.UnacceptableProtocolVersion, cancellationToken).ConfigureAwait(false);
            return null;
        }
        var clientId = connect.ClientId;
        if (clientId.Length == 0)
        {
            if (!connect.CleanSession)
            {
                // spec 3.1.3-8
                await RefuseAsync(transport, MqttConnectReturnCode.IdentifierRejected, cancellationToken).ConfigureAwait(false);
                return null;
            }
            clientId = "auto-" + Guid.NewGuid().ToString("N");
        }
        var code = _options.AuthenticateAsync is { } authenticate
            ? await authenticate(new MqttServerConnectContext(connect, transport.RemoteEndPoint), cancellationToken).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false)
            : MqttConnectReturnCode.Accepted;
        if (code != MqttConnectReturnCode.Accepted)
        {
            Log.Refused(_logger, clientId, transport.RemoteEndPoint, code);
            await RefuseAsync(transport, code, cancellationToken).ConfigureAwait(false);
            return null;
        }

        ServerConnection connection;
        bool sessionPresent;
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _sessions.TryGetValue(clientId, out var existing);
            if (existing?.Connection is { } previous)
            {
                // one connection per client id: the new one wins (spec 3.1.4-2)
                await CloseAsync(previous, new OperationCanceledException("another connection with the same client id")).ConfigureAwait(false);
                if (_connections.TryGetValue(previous, out var served))
                {
                    // let the old connection hand its unsent messages back to the session first
                    try
                    {
                        await served.WaitAsync(_options.ConnectTimeout, _time, cancellationToken).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                        // it is closed and cancelled; whatever it still holds goes out on a later connection
                    }
                }
            }
            Session session;
            if (connect.CleanSession || existing is null || !existing.Persistent)
            {
                if (existing is not null)
                {
                    existing.Discard();
                }
                session = new Session(clientId, persistent: !connect.CleanSession, _options.MaxInFlightPerClient);
                sessionPresent = false;
            }
            else
            {
                session = existing;
                sessionPresent = true;
            }
            _sessions[clientId] = session;
            var keepAlive = TimeSpan.FromSeconds(connect.KeepAliveSeconds);
            connection = new ServerConnection(transport, session, keepAlive, _options.MaxQueuedMessagesPerClient + _options.MaxInFlightPerClient);
            lock (session.Gate)
            {
                session.Connection = connection;
            }
        }
        finally
        {
            _connectLock.Release();
        }
        try
        {
            await transport.SendAsync(new MqttConnAckPacket { SessionPresent = sessionPresent, ReturnCode = MqttConnectReturnCode.Accepted }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // the session already points at this connection: undo that before giving up
            await CloseAsync(connection, ex).ConfigureAwait(false);
            throw;
        }
        Log.Connected(_logger, clientId, transport.RemoteEndPoint, connect.CleanSession, sessionPresent);
        connection.Announced = true;
        RaiseEvent(ClientConnected, new MqttServerClientEventArgs(clientId, transport.RemoteEndPoint, null));
        return connection;
    }

    private static async Task RefuseAsync(MqttPacketTransport transport, MqttConnectReturnCode code, CancellationToken cancellationToken)
    {
        // spec 3.2.2-5: a refusing CONNACK has session present 0, then the connection closes
        await transport.SendAsync(new MqttConnAckPacket { ReturnCode = code }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs one accepted connection until it ends; returns why.</summary>
    private async Task<Exception?> ServeAsync(ServerConnection connection)
    {
        var token = connection.Cancellation.Token;
        var writer = Task.Run(() => WriteLoopAsync(connection), CancellationToken.None);
        try
        {
            ResumeSession(connection);
            // spec 3.1.2-24: no packet within 1.5 × keep-alive means the client is gone
            var timeout = connection.KeepAlive == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : connection.KeepAlive * 1.5;
            while (true)
            {
                MqttPacket? packet;
                try
                {
                    packet = await connection.Transport.ReceiveAsync(token).AsTask().WaitAsync(timeout, _time, token).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    return new TimeoutException($"no packet within 1.5 × keep-alive ({timeout})");
                }
                if (packet is null)
                {
                    return new IOException("the client closed the connection without DISCONNECT");
                }
                switch (packet)
                {
                    case MqttPublishPacket publish:
                        if (!await OnPublishAsync(connection, publish, token).ConfigureAwait(false))
                        {
                            return new OperationCanceledException("the application refused a publish");
                        }
                        break;
                    case MqttPubAckPacket ack:
                        connection.Session.Acknowledge(ack.PacketId);
                        break;
                    case MqttSubscribePacket subscribe:
                        await OnSubscribeAsync(connection, subscribe, token).ConfigureAwait(false);
                        break;
                    case MqttUnsubscribePacket unsubscribe:
                        connection.Session.Unsubscribe(unsubscribe.TopicFilters);
                        await connection.Transport.SendAsync(new MqttUnsubAckPacket { PacketId = unsubscribe.PacketId }, token).ConfigureAwait(false);
                        break;
                    case MqttPingReqPacket:
                        await connection.Transport.SendAsync(MqttPingRespPacket.Instance, token).ConfigureAwait(false);
                        break;
                    case MqttDisconnectPacket:
                        return null;
                    default:
                        // a second CONNECT (spec 3.1.0-2), QoS 2 flow packets, or server-to-client packets
                        throw new MqttProtocolException(MqttProtocolError.UnexpectedPacket, $"{packet.Type} is not accepted from a client here");
                }
            }
        }
        finally
        {
            connection.Cancellation.Cancel();
            connection.Outbound.Writer.TryComplete();
            await writer.ConfigureAwait(false);
        }
    }

    private async Task<bool> OnPublishAsync(ServerConnection connection, MqttPublishPacket publish, CancellationToken cancellationToken)
    {
        if (publish.QualityOfService == MqttQualityOfService.ExactlyOnce)
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidQualityOfService, $"QoS 2 PUBLISH on '{publish.Topic}' is not supported");
        }
        var disposition = _options.InterceptPublishAsync is { } intercept
            ? await intercept(new MqttServerPublishContext(connection.ClientId, publish), cancellationToken).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false)
            : MqttPublishDisposition.Route;
        switch (disposition)
        {
            case MqttPublishDisposition.Disconnect:
                return false;
            case MqttPublishDisposition.Route:
                await RouteAsync(new MqttApplicationMessage(publish.Topic, publish.Payload, publish.QualityOfService), cancellationToken).ConfigureAwait(false);
                break;
            default:
                break;
        }
        if (publish.QualityOfService == MqttQualityOfService.AtLeastOnce)
        {
            // acknowledged only after the hook and the routing are done: the hook can store first
            await connection.Transport.SendAsync(new MqttPubAckPacket { PacketId = publish.PacketId }, cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    private async Task OnSubscribeAsync(ServerConnection connection, MqttSubscribePacket subscribe, CancellationToken cancellationToken)
    {
        var codes = new List<MqttSubAckReturnCode>(subscribe.Subscriptions.Count);
        foreach (var s in subscribe.Subscriptions)
        {
            var code = _options.AuthorizeSubscribeAsync is { } authorize
                ? await authorize(new MqttServerSubscribeContext(connection.ClientId, s), cancellationToken).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false)
                : (MqttSubAckReturnCode)Math.Min((byte)s.QualityOfService, (byte)1);
            if (code != MqttSubAckReturnCode.Failure)
            {
                // we deliver at most QoS 1, whatever was asked or granted
                code = (MqttSubAckReturnCode)Math.Min((byte)code, (byte)1);
                connection.Session.Subscribe(s.TopicFilter, (MqttQualityOfService)code);
            }
            codes.Add(code);
        }
        await connection.Transport.SendAsync(new MqttSubAckPacket { PacketId = subscribe.PacketId, ReturnCodes = codes }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resends unacknowledged QoS 1 (DUP, same ids, spec 4.4) and queues what arrived while offline.</summary>
    private static void ResumeSession(ServerConnection connection)
    {
        var session = connection.Session;
        lock (session.Gate)
        {
            foreach (var item in session.InFlight.Values.OrderBy(i => i.Sequence))
            {
                item.Resend = true;
                connection.Outbound.Writer.TryWrite(item);
            }
            while (session.Offline.TryDequeue(out var item))
            {
                if (!connection.Outbound.Writer.TryWrite(item))
                {
                    session.Offline.Enqueue(item);
                    break;
                }
            }
        }
    }

    /// <summary>Queues a message for a session; false when it was dropped.</summary>
    private async Task<bool> EnqueueAsync(Session session, MqttPublishPacket packet, TaskCompletionSource<bool>? completion, CancellationToken cancellationToken)
    {
        var item = new OutboundItem(packet, completion);
        ServerConnection? connection;
        lock (session.Gate)
        {
            connection = session.Connection;
            if (connection is null)
            {
                if (session.Persistent && packet.QualityOfService == MqttQualityOfService.AtLeastOnce && session.Offline.Count < _options.MaxQueuedMessagesPerClient)
                {
                    session.Offline.Enqueue(item);
                    return true;
                }
                Interlocked.Increment(ref _droppedMessages);
                completion?.TrySetResult(false);
                return false;
            }
        }
        try
        {
            // bounded: a slow subscriber slows its publishers instead of growing memory
            await connection.Outbound.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ChannelClosedException)
        {
            lock (session.Gate)
            {
                if (session.Persistent && packet.QualityOfService == MqttQualityOfService.AtLeastOnce && session.Offline.Count < _options.MaxQueuedMessagesPerClient)
                {
                    session.Offline.Enqueue(item);
                    return true;
                }
            }
            Interlocked.Increment(ref _droppedMessages);
            completion?.TrySetResult(false);
            return false;
        }
    }

    private async Task WriteLoopAsync(ServerConnection connection)
    {
        var session = connection.Session;
        var token = connection.Cancellation.Token;
        try
        {
            await foreach (var item in connection.Outbound.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                MqttPublishPacket packet;
                if (item.Packet.QualityOfService == MqttQualityOfService.AtMostOnce)
                {
                    packet = item.Packet;
                }
                else if (item.Resend)
                {
                    packet = new MqttPublishPacket { Topic = item.Packet.Topic, Payload = item.Packet.Payload, QualityOfService = item.Packet.QualityOfService, PacketId = item.PacketId, Dup = true };
                }
                else
                {
                    await session.Slots.WaitAsync(token).ConfigureAwait(false);
                    lock (session.Gate)
                    {
                        item.PacketId = session.NextPacketId();
                        item.Sequence = session.NextSequence();
                        session.InFlight[item.PacketId] = item;
                    }
                    packet = new MqttPublishPacket { Topic = item.Packet.Topic, Payload = item.Packet.Payload, QualityOfService = item.Packet.QualityOfService, PacketId = item.PacketId };
                }
                await connection.Transport.SendAsync(packet, token).ConfigureAwait(false);
                if (packet.QualityOfService == MqttQualityOfService.AtMostOnce)
                {
                    item.Completion?.TrySetResult(true);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // the connection is closing; ServeAsync reports why
        }
        finally
        {
            // what was never sent: a persistent session keeps QoS 1 for the next connection
            while (connection.Outbound.Reader.TryRead(out var left))
            {
                lock (session.Gate)
                {
                    if (session.Persistent && left.Packet.QualityOfService == MqttQualityOfService.AtLeastOnce && !left.Resend && !session.Discarded)
                    {
                        session.Offline.Enqueue(left);
                        continue;
                    }
                }
                if (!left.Resend)
                {
                    left.Completion?.TrySetResult(false);
                }
            }
        }
    }

    private async Task CloseAsync(ServerConnection connection, Exception? reason)
    {
        if (Interlocked.Exchange(ref connection.ClosedFlag, 1) != 0)
        {
            return;
        }
        var session = connection.Session;
        lock (session.Gate)
        {
            if (session.Connection == connection)
            {
                session.Connection = null;
            }
            foreach (var item in session.InFlight.Values)
            {
                // delivery unconfirmed for now; a persistent session still resends it later
                item.Completion?.TrySetResult(false);
            }
        }
        if (!session.Persistent)
        {
            _sessions.TryRemove(new KeyValuePair<string, Session>(session.ClientId, session));
            session.Discard();
        }
        connection.Cancellation.Cancel();
        connection.Outbound.Writer.TryComplete();
        await connection.Transport.DisposeAsync().ConfigureAwait(false);
        if (connection.Announced)
        {
            Log.Disconnected(_logger, connection.ClientId, reason?.Message ?? "DISCONNECT");
            RaiseEvent(ClientDisconnected, new MqttServerClientEventArgs(connection.ClientId, connection.Transport.RemoteEndPoint, reason));
        }
    }

    private void RaiseEvent(EventHandler<MqttServerClientEventArgs>? handler, MqttServerClientEventArgs args)
    {
        try
        {
            handler?.Invoke(this, args);
        }
#pragma warning disable CA1031 // a faulty handler must not break a connection
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.HandlerFailed(_logger, args.ClientId, ex);
        }
    }

    private sealed class ServerConnection(MqttPacketTransport transport, Session session, TimeSpan keepAlive, int queueCapacity)
    {
#pragma warning disable SA1401, CA1051 // an Interlocked flag
        public int ClosedFlag;
#pragma warning restore SA1401, CA1051

        public MqttPacketTransport Transport { get; } = transport;

        public Session Session { get; } = session;

        /// <summary>ClientConnected was raised, so ClientDisconnected will be.</summary>
        public bool Announced { get; set; }

        public string ClientId => Session.ClientId;

        public TimeSpan KeepAlive { get; } = keepAlive;

        public CancellationTokenSource Cancellation { get; } = new();

        public Channel<OutboundItem> Outbound { get; } = Channel.CreateBounded<OutboundItem>(new BoundedChannelOptions(queueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    private sealed class OutboundItem(MqttPublishPacket packet, TaskCompletionSource<bool>? completion)
    {
        public MqttPublishPacket Packet { get; } = packet;

        public TaskCompletionSource<bool>? Completion { get; } = completion;

        public ushort PacketId { get; set; }

        public long Sequence { get; set; }

        /// <summary>Already sent once with <see cref="PacketId"/>: the next send is a DUP.</summary>
        public bool Resend { get; set; }
    }

    private sealed class Session(string clientId, bool persistent, int maxInFlight)
    {
        private readonly Dictionary<string, MqttQualityOfService> _subscriptions = new(StringComparer.Ordinal);
        private ushort _lastPacketId;
        private long _sequence;

        public object Gate { get; } = new();

        public string ClientId { get; } = clientId;

        public bool Persistent { get; } = persistent;

        public bool Discarded { get; private set; }

        public ServerConnection? Connection { get; set; }

        public Dictionary<ushort, OutboundItem> InFlight { get; } = [];

        public Queue<OutboundItem> Offline { get; } = new();

        public SemaphoreSlim Slots { get; } = new(maxInFlight, maxInFlight);

        public MqttQualityOfService? MatchingQualityOfService(string topic)
        {
            MqttQualityOfService? best = null;
            lock (Gate)
            {
                foreach (var (filter, qos) in _subscriptions)
                {
                    if ((best is null || qos > best) && MqttTopic.Matches(filter, topic))
                    {
                        best = qos;
                    }
                }
            }
            return best;
        }

        public void Subscribe(string filter, MqttQualityOfService qos)
        {
            lock (Gate)
            {
                // spec 3.8.4-3: a subscription to an existing filter replaces it
                _subscriptions[filter] = qos;
            }
        }

        public void Unsubscribe(IEnumerable<string> filters)
        {
            lock (Gate)
            {
                foreach (var filter in filters)
                {
                    _subscriptions.Remove(filter);
                }
            }
        }

        public void Acknowledge(ushort packetId)
        {
            OutboundItem? item;
            lock (Gate)
            {
                if (!InFlight.Remove(packetId, out item))
                {
                    return;
                }
            }
            Slots.Release();
            item.Completion?.TrySetResult(true);
        }

        public ushort NextPacketId()
        {
            do
            {
                _lastPacketId = _lastPacketId == ushort.MaxValue ? (ushort)1 : (ushort)(_lastPacketId + 1);
            }
            while (InFlight.ContainsKey(_lastPacketId));
            return _lastPacketId;
        }

        public long NextSequence() => ++_sequence;

        public void Discard()
        {
            lock (Gate)
            {
                Discarded = true;
                foreach (var item in InFlight.Values.Concat(Offline))
                {
                    item.Completion?.TrySetResult(false);
                }
                InFlight.Clear();
                Offline.Clear();
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(101, LogLevel.Information, "MQTT server listening on {Endpoint} (TLS: {Tls})")]
        public static partial void Listening(ILogger logger, string endpoint, bool tls);

        [LoggerMessage(102, LogLevel.Information, "MQTT client {ClientId} connected from {Endpoint} (clean: {CleanSession}, session present: {SessionPresent})")]
        public static partial void Connected(ILogger logger, string clientId, string endpoint, bool cleanSession, bool sessionPresent);

        [LoggerMessage(103, LogLevel.Information, "MQTT client {ClientId} disconnected: {Reason}")]
        public static partial void Disconnected(ILogger logger, string clientId, string reason);

        [LoggerMessage(104, LogLevel.Warning, "MQTT client {ClientId} from {Endpoint} refused: {ReturnCode}")]
        public static partial void Refused(ILogger logger, string clientId, string endpoint, MqttConnectReturnCode returnCode);

        [LoggerMessage(105, LogLevel.Warning, "MQTT client {ClientId} from {Endpoint} closed for a protocol violation ({Error}): {Detail}")]
        public static partial void ProtocolViolation(ILogger logger, string clientId, string endpoint, MqttProtocolError error, string detail);

        [LoggerMessage(106, LogLevel.Warning, "TLS handshake with {Endpoint} failed: {Error}")]
        public static partial void TlsFailed(ILogger logger, string endpoint, string error);

        [LoggerMessage(107, LogLevel.Error, "MQTT connection from {Endpoint} failed")]
        public static partial void ConnectionFailed(ILogger logger, string endpoint, Exception exception);

        [LoggerMessage(109, LogLevel.Warning, "MQTT server stopped with {Count} connection tasks still running")]
        public static partial void StopTimedOut(ILogger logger, int count);

        [LoggerMessage(108, LogLevel.Error, "MQTT server: an event handler for {ClientId} failed")]
        public static partial void HandlerFailed(ILogger logger, string clientId, Exception exception);
    }
}
