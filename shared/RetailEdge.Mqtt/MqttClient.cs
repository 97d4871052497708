using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RetailEdge.Mqtt;

/// <summary>
/// An MQTT 3.1.1 client session: connect (clean or persistent), keep-alive, QoS 0/1 publish with
/// in-flight tracking and DUP resend after reconnect, subscribe/unsubscribe, inbound QoS 1 with
/// application-controlled acknowledgement, automatic reconnect with back-off, jitter and
/// resubscription. Thread-safe and long-lived: one per connection identity.
/// </summary>
public sealed partial class MqttClient : IAsyncDisposable
{
    private readonly MqttClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly object _gate = new();
    private readonly Dictionary<ushort, OutgoingPublish> _inFlight = [];
    private readonly Dictionary<ushort, TaskCompletionSource<MqttPacket>> _requests = [];
    private readonly List<MqttSubscription> _subscriptions = [];
    private readonly SemaphoreSlim _inFlightSlots;
    private readonly Channel<MqttReceivedMessage> _messages;
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource<Connection> _readySignal = NewReadySignal();
    private Connection? _connection;
    private Connection? _ready;
    private MqttConnectionState _state = MqttConnectionState.Disconnected;
    private Exception? _closedReason;
    private int _generation;
    private ushort _lastPacketId;
    private long _sequence;
    private int _started;
    private Task? _supervisor;
    private long _protocolViolations;

    public MqttClient(MqttClientOptions options, ILogger<MqttClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = options.TimeProvider;
        _random = options.RandomSeed is { } seed ? new Random(seed) : new Random();
        _inFlightSlots = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        _messages = Channel.CreateBounded<MqttReceivedMessage>(new BoundedChannelOptions(options.MaxPendingMessages)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Raised on every state change; handlers run on the client's thread, keep them short.</summary>
    public event EventHandler<MqttConnectionStateChangedEventArgs>? ConnectionStateChanged;

    public string ClientId => _options.ClientId;

    public MqttConnectionState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public bool IsConnected => State == MqttConnectionState.Connected;

    /// <summary>Inbound messages, in arrival order. Bounded: an unread queue stops the client reading the socket.</summary>
    public ChannelReader<MqttReceivedMessage> Messages => _messages.Reader;

    /// <summary>Connections dropped because the server broke the protocol (the reason is in ConnectionStateChanged).</summary>
    public long ProtocolViolations => Interlocked.Read(ref _protocolViolations);

    /// <summary>QoS 1 publishes sent or queued and not yet acknowledged by the server.</summary>
    public int InFlightCount
    {
        get
        {
            lock (_gate)
            {
                return _inFlight.Count;
            }
        }
    }

    /// <summary>
    /// Connects for the first time and starts the background session (keep-alive, reconnects).
    /// Throws <see cref="MqttConnectException"/> when the server refuses and the transport's
    /// exception when it cannot be reached; the call can then be repeated.
    /// </summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _started, 1, 0) != 0)
        {
            throw new InvalidOperationException("ConnectAsync was already called on this client");
        }
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        Connection first;
        try
        {
            first = await EstablishAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Volatile.Write(ref _started, 0);
            SetState(MqttConnectionState.Disconnected, sessionPresent: false, reason: null);
            throw;
        }
        _supervisor = Task.Run(() => SuperviseAsync(first, _stopping.Token), CancellationToken.None);
    }

    /// <summary>
    /// Publishes one message. QoS 0 completes once written; QoS 1 completes when the server's
    /// PUBACK arrives, across reconnects (resent with DUP). Waits while <see cref="MqttClientOptions.MaxInFlight"/>
    /// publishes are outstanding or while disconnected.
    /// </summary>
    public async Task PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.QualityOfService == MqttQualityOfService.ExactlyOnce)
        {
            throw new ArgumentException("QoS 2 is not supported; use 0 or 1", nameof(message));
        }
        var packet = new MqttPublishPacket
        {
            Topic = message.Topic,
            Payload = message.Payload,
            QualityOfService = message.QualityOfService,
            Retain = message.Retain,
            PacketId = message.QualityOfService == MqttQualityOfService.AtMostOnce ? (ushort)0 : (ushort)1,
        };
        // validates the topic and the size before anything is queued
        var size = MqttPacketEncoder.GetEncodedLength(packet);
        if (size > _options.MaxOutgoingPacketSize)
        {
            throw new ArgumentException($"a PUBLISH of {size} bytes exceeds MaxOutgoingPacketSize ({_options.MaxOutgoingPacketSize})", nameof(message));
        }
        if (message.QualityOfService == MqttQualityOfService.AtMostOnce)
        {
            var connection = await WaitReadyAsync(cancellationToken).ConfigureAwait(false);
            await SendAsync(connection, packet, cancellationToken).ConfigureAwait(false);
            return;
        }

        await _inFlightSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        OutgoingPublish outgoing;
        Connection? ready;
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested || _state == MqttConnectionState.Closed)
            {
                _inFlightSlots.Release();
                throw new MqttClientClosedException("the MQTT client is closed", _closedReason);
            }
            var id = NextPacketId();
            outgoing = new OutgoingPublish(new MqttPublishPacket
            {
                Topic = packet.Topic,
                Payload = packet.Payload,
                QualityOfService = packet.QualityOfService,
                Retain = packet.Retain,
                PacketId = id,
            }, ++_sequence);
            _inFlight.Add(id, outgoing);
            ready = _ready;
            if (ready is not null)
            {
                outgoing.SentGeneration = ready.Generation;
            }
        }
        if (ready is not null)
        {
            try
            {
                await SendAsync(ready, outgoing.Packet, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or MqttProtocolException)
            {
                // the connection broke; the message stays in flight and is resent with DUP on the next one
            }
        }
        try
        {
            await outgoing.Acknowledged.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (_gate)
            {
                if (_inFlight.Remove(outgoing.Packet.PacketId))
                {
                    _inFlightSlots.Release();
                }
            }
            throw;
        }
    }

    /// <summary>Publishes a QoS 0 or 1 message (convenience for <see cref="PublishAsync(MqttApplicationMessage, CancellationToken)"/>).</summary>
    public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, MqttQualityOfService qualityOfService, CancellationToken cancellationToken = default) =>
        PublishAsync(new MqttApplicationMessage(topic, payload, qualityOfService), cancellationToken);

    /// <summary>
    /// Subscribes and returns the server's return code per filter. The subscriptions are
    /// remembered and renewed after every reconnect. QoS 2 is not supported.
    /// </summary>
    public async Task<IReadOnlyList<MqttSubAckReturnCode>> SubscribeAsync(IReadOnlyList<MqttSubscription> subscriptions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscriptions);
        if (subscriptions.Count == 0)
        {
            throw new ArgumentException("at least one subscription is required", nameof(subscriptions));
        }
        foreach (var s in subscriptions)
        {
            MqttTopic.ValidateTopicFilter(s.TopicFilter);
            if (s.QualityOfService > MqttQualityOfService.AtLeastOnce)
            {
                throw new ArgumentException($"QoS 2 is not supported (filter '{s.TopicFilter}')", nameof(subscriptions));
            }
        }
        lock (_gate)
        {
            foreach (var s in subscriptions)
            {
                _subscriptions.RemoveAll(x => x.TopicFilter == s.TopicFilter);
                _subscriptions.Add(s);
            }
        }
        var response = await RequestUntilAnsweredAsync(id => new MqttSubscribePacket { PacketId = id, Subscriptions = subscriptions }, cancellationToken).ConfigureAwait(false);
        var codes = ((MqttSubAckPacket)response).ReturnCodes;
        if (codes.Count != subscriptions.Count)
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidField, $"SUBACK has {codes.Count} return codes for {subscriptions.Count} filters (spec 3.8.4-5)");
        }
        return codes;
    }

    /// <summary>Subscribes to one filter; throws when the server refuses it.</summary>
    public async Task<MqttSubAckReturnCode> SubscribeAsync(string topicFilter, MqttQualityOfService qualityOfService = MqttQualityOfService.AtLeastOnce, CancellationToken cancellationToken = default)
    {
        var codes = await SubscribeAsync([new MqttSubscription(topicFilter, qualityOfService)], cancellationToken).ConfigureAwait(false);
        return codes[0] != MqttSubAckReturnCode.Failure
            ? codes[0]
            : throw new InvalidOperationException($"the server refused the subscription to '{topicFilter}'");
    }

    /// <summary>Unsubscribes; the filters are no longer renewed on reconnect.</summary>
    public async Task UnsubscribeAsync(IReadOnlyList<string> topicFilters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topicFilters);
        if (topicFilters.Count == 0)
        {
            throw new ArgumentException("at least one topic filter is required", nameof(topicFilters));
        }
        foreach (var f in topicFilters)
        {
            MqttTopic.ValidateTopicFilter(f);
        }
        lock (_gate)
        {
            _subscriptions.RemoveAll(x => topicFilters.Contains(x.TopicFilter));
        }
        await RequestUntilAnsweredAsync(id => new MqttUnsubscribePacket { PacketId = id, TopicFilters = topicFilters }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Acknowledges an inbound QoS 1 message (PUBACK) — call it after the message is durably
    /// handled. Returns false when there is nothing to send: QoS 0, auto-acknowledge, already
    /// acknowledged, or the connection it came on is gone (the server will redeliver it).
    /// Acknowledge in arrival order: MQTT expects PUBACKs in the order of the PUBLISHes (spec 4.6).
    /// </summary>
    public async Task<bool> AcknowledgeAsync(MqttReceivedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.NeedsAcknowledgement)
        {
            return false;
        }
        Connection? connection;
        lock (_gate)
        {
            connection = _connection;
        }
        if (connection is null || connection.Generation != message.ConnectionGeneration || !message.TryMarkAcknowledged())
        {
            return false;
        }
        try
        {
            await SendAsync(connection, new MqttPubAckPacket { PacketId = message.PacketId }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Sends DISCONNECT (so the server discards any will), closes, and stops reconnecting.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        Connection? connection;
        lock (_gate)
        {
            connection = _ready ?? _connection;
        }
        if (connection is not null && !_stopping.IsCancellationRequested)
        {
            try
            {
                await SendAsync(connection, MqttDisconnectPacket.Instance, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
            {
                // already gone: nothing more to say to the server
            }
        }
        await StopAsync(new MqttClientClosedException("the MQTT client was disconnected by the application")).ConfigureAwait(false);
    }

    /// <summary>Closes without DISCONNECT when not disconnected before, which the server treats as a lost connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(new MqttClientClosedException("the MQTT client was disposed")).ConfigureAwait(false);
        // the in-flight semaphore is left undisposed on purpose: publishers still waiting on it
        // are woken by Close and must find it usable, and it holds no handle
        _stopping.Dispose();
    }

    private static TaskCompletionSource<Connection> NewReadySignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task StopAsync(Exception reason)
    {
        try
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        Connection? connection;
        lock (_gate)
        {
            connection = _connection;
        }
        if (connection is not null)
        {
            await CloseConnectionAsync(connection, reason).ConfigureAwait(false);
            if (connection.Loops is { } loops)
            {
                await loops.ConfigureAwait(false);
            }
        }
        if (_supervisor is not null)
        {
            await _supervisor.ConfigureAwait(false);
        }
        Close(reason);
    }

    private async Task<Connection> EstablishAsync(CancellationToken cancellationToken)
    {
        SetState(MqttConnectionState.Connecting, sessionPresent: false, reason: null);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        timeout.CancelAfter(_options.ConnectTimeout);
        MqttPacketTransport? transport = null;
        Connection? connection = null;
        try
        {
            var credentials = _options.CredentialsProvider is { } provider
                ? await provider(timeout.Token).ConfigureAwait(false)
                : _options.Credentials;
            var channel = await _options.ChannelFactory.ConnectAsync(timeout.Token).ConfigureAwait(false);
            transport = new MqttPacketTransport(channel, _options.MaxPacketSize);
            await transport.SendAsync(new MqttConnectPacket
            {
                ClientId = _options.ClientId,
                CleanSession = _options.CleanSession,
                KeepAliveSeconds = (ushort)_options.KeepAlive.TotalSeconds,
                UserName = credentials?.UserName,
                Password = credentials?.Password is { } password ? System.Text.Encoding.UTF8.GetBytes(password) : null,
            }, timeout.Token).ConfigureAwait(false);
            // spec 3.2.0-1: the first packet from the server must be CONNACK
            var first = await transport.ReceiveAsync(timeout.Token).ConfigureAwait(false);
            var ack = first as MqttConnAckPacket ?? throw (first is null
                ? new IOException("the server closed the connection before CONNACK")
                : new MqttProtocolException(MqttProtocolError.UnexpectedPacket, $"expected CONNACK, got {first.Type} (spec 3.2.0-1)"));
            if (ack.ReturnCode != MqttConnectReturnCode.Accepted)
            {
                throw new MqttConnectException(ack.ReturnCode);
            }
            var now = _time.GetTimestamp();
            lock (_gate)
            {
                connection = new Connection(transport, ++_generation, now);
                _connection = connection;
            }
            connection.Loops = Task.WhenAll(
                Task.Run(() => ReceiveLoopAsync(connection), CancellationToken.None),
                Task.Run(() => KeepAliveLoopAsync(connection), CancellationToken.None));
            await RestoreSessionAsync(connection, timeout.Token).ConfigureAwait(false);
            Log.Connected(_logger, _options.ClientId, transport.RemoteEndPoint, ack.SessionPresent, connection.Generation);
            SetState(MqttConnectionState.Connected, ack.SessionPresent, reason: null);
            return connection;
        }
        catch (Exception ex)
        {
            if (connection is not null)
            {
                await CloseConnectionAsync(connection, ex).ConfigureAwait(false);
            }
            else if (transport is not null)
            {
                await transport.DisposeAsync().ConfigureAwait(false);
            }
            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested && !_stopping.IsCancellationRequested)
            {
                throw new TimeoutException($"no MQTT session within {_options.ConnectTimeout}", ex);
            }
            throw;
        }
    }

    /// <summary>Renews subscriptions, then (re)sends every unacknowledged QoS 1 publish in order (spec 4.4).</summary>
    private async Task RestoreSessionAsync(Connection connection, CancellationToken cancellationToken)
    {
        MqttSubscription[] subscriptions;
        lock (_gate)
        {
            subscriptions = [.. _subscriptions];
        }
        if (subscriptions.Length > 0)
        {
            // Renewed even when the server reports a present session: renewing is harmless and
            // covers a subscription whose first SUBACK was lost with the previous connection.
            await RequestAsync(connection, id => new MqttSubscribePacket { PacketId = id, Subscriptions = subscriptions }, cancellationToken).ConfigureAwait(false);
        }
        while (true)
        {
            List<OutgoingPublish> pending;
            lock (_gate)
            {
                pending = [.. _inFlight.Values.Where(p => p.SentGeneration != connection.Generation).OrderBy(p => p.Sequence)];
                if (pending.Count == 0)
                {
                    // from here on PublishAsync sends directly on this connection
                    _ready = connection;
                    _state = MqttConnectionState.Connected;
                    _readySignal.TrySetResult(connection);
                    return;
                }
                foreach (var p in pending)
                {
                    p.Dup = p.SentGeneration != 0;
                    p.SentGeneration = connection.Generation;
                }
            }
            foreach (var p in pending)
            {
                // spec 4.4: resend with DUP = 1 and the original packet identifier
                var packet = p.Dup
                    ? new MqttPublishPacket { Topic = p.Packet.Topic, Payload = p.Packet.Payload, QualityOfService = p.Packet.QualityOfService, Retain = p.Packet.Retain, PacketId = p.Packet.PacketId, Dup = true }
                    : p.Packet;
                await SendAsync(connection, packet, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task SuperviseAsync(Connection connection, CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (true)
        {
            var reason = await connection.Closed.Task.ConfigureAwait(false);
            // a connection that drops soon after it was made (e.g. refused tokens, a flapping
            // link) keeps backing off; one that lived a while starts again from the minimum
            if (_time.GetElapsedTime(connection.EstablishedAt) >= _options.ReconnectMaxDelay)
            {
                attempt = 0;
            }
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            Log.ConnectionLost(_logger, _options.ClientId, reason?.Message ?? "closed");
            if (!_options.AutoReconnect)
            {
                Close(new MqttClientClosedException("the MQTT connection was lost and AutoReconnect is off", reason));
                return;
            }
            SetState(MqttConnectionState.Disconnected, sessionPresent: false, reason);
            for (; ; attempt++)
            {
                var delay = BackoffDelay(attempt);
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                    connection = await EstablishAsync(cancellationToken).ConfigureAwait(false);
                    attempt++;
                    break;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    Log.ReconnectFailed(_logger, _options.ClientId, attempt + 1, delay, ex.GetType().Name, ex.Message);
                    SetState(MqttConnectionState.Disconnected, sessionPresent: false, ex);
                }
            }
        }
    }

    private TimeSpan BackoffDelay(int attempt)
    {
        var min = _options.ReconnectMinDelay.TotalMilliseconds;
        var max = _options.ReconnectMaxDelay.TotalMilliseconds;
        var exponential = Math.Min(max, min * Math.Pow(2, Math.Min(attempt, 30)));
        var spread = 1 + (_options.ReconnectJitter * ((_random.NextDouble() * 2) - 1));
        return TimeSpan.FromMilliseconds(Math.Min(max, exponential * spread));
    }

    private async Task ReceiveLoopAsync(Connection connection)
    {
        Exception? reason = null;
        try
        {
            while (true)
            {
                var packet = await connection.Transport.ReceiveAsync(connection.Cancellation.Token).ConfigureAwait(false)
                    ?? throw new IOException("the server closed the connection");
                connection.LastReceived = _time.GetTimestamp();
                connection.PingSentAt = 0;
                switch (packet)
                {
                    case MqttPublishPacket publish:
                        await OnPublishAsync(connection, publish).ConfigureAwait(false);
                        break;
                    case MqttPubAckPacket ack:
                        OnPubAck(ack.PacketId);
                        break;
                    case MqttSubAckPacket subAck:
                        CompleteRequest(subAck.PacketId, subAck);
                        break;
                    case MqttUnsubAckPacket unsubAck:
                        CompleteRequest(unsubAck.PacketId, unsubAck);
                        break;
                    case MqttPingRespPacket:
                        break;
                    default:
                        throw new MqttProtocolException(MqttProtocolError.UnexpectedPacket, $"a client does not expect {packet.Type} here");
                }
            }
        }
        catch (MqttProtocolException ex)
        {
            Interlocked.Increment(ref _protocolViolations);
            Log.ProtocolViolation(_logger, _options.ClientId, ex.Error, ex.Message);
            reason = ex;
        }
        catch (Exception ex)
        {
            reason = ex;
        }
        await CloseConnectionAsync(connection, reason).ConfigureAwait(false);
    }

    private async Task OnPublishAsync(Connection connection, MqttPublishPacket publish)
    {
        if (publish.QualityOfService == MqttQualityOfService.ExactlyOnce)
        {
            // we never subscribe with QoS 2, so the server may not send it (spec 3.8.4-6)
            throw new MqttProtocolException(MqttProtocolError.InvalidQualityOfService, $"QoS 2 PUBLISH on '{publish.Topic}' exceeds every granted QoS");
        }
        var needsAck = publish.QualityOfService == MqttQualityOfService.AtLeastOnce;
        var message = new MqttReceivedMessage(publish, connection.Generation, needsAck && !_options.AutoAcknowledge);
        connection.ReceiveBlocked = true;
        try
        {
            await _messages.Writer.WriteAsync(message, connection.Cancellation.Token).ConfigureAwait(false);
        }
        finally
        {
            connection.ReceiveBlocked = false;
        }
        if (needsAck && _options.AutoAcknowledge)
        {
            await SendAsync(connection, new MqttPubAckPacket { PacketId = publish.PacketId }, connection.Cancellation.Token).ConfigureAwait(false);
        }
    }

    private void OnPubAck(ushort packetId)
    {
        OutgoingPublish? outgoing;
        lock (_gate)
        {
            if (!_inFlight.Remove(packetId, out outgoing))
            {
                // an acknowledgement for a publish the caller gave up on; nothing waits for it
                return;
            }
        }
        _inFlightSlots.Release();
        outgoing.Acknowledged.TrySetResult();
    }

    private void CompleteRequest(ushort packetId, MqttPacket response)
    {
        TaskCompletionSource<MqttPacket>? request;
        lock (_gate)
        {
            _requests.Remove(packetId, out request);
        }
        request?.TrySetResult(response);
    }

    private async Task KeepAliveLoopAsync(Connection connection)
    {
        var keepAlive = _options.KeepAlive;
        if (keepAlive == TimeSpan.Zero)
        {
            return;
        }
        // Ping when nothing was sent or received for half the keep-alive, so the server (which
        // waits 1.5 × keep-alive, spec 3.1.2-24) always hears from us, and a dead peer is found
        // even while we only send.
        var idle = keepAlive / 2;
        var tick = TimeSpan.FromMilliseconds(Math.Max(50, keepAlive.TotalMilliseconds / 8));
        var token = connection.Cancellation.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(tick, _time, token).ConfigureAwait(false);
                var now = _time.GetTimestamp();
                var pingSentAt = connection.PingSentAt;
                if (pingSentAt != 0)
                {
                    if (_time.GetElapsedTime(pingSentAt, now) > keepAlive && !connection.ReceiveBlocked)
                    {
                        await CloseConnectionAsync(connection, new TimeoutException($"no answer to PINGREQ within {keepAlive}")).ConfigureAwait(false);
                        return;
                    }
                }
                else if (_time.GetElapsedTime(connection.LastSent, now) >= idle || _time.GetElapsedTime(connection.LastReceived, now) >= idle)
                {
                    connection.PingSentAt = now;
                    await SendAsync(connection, MqttPingReqPacket.Instance, token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // the connection is closing; the receive loop reports why
            await CloseConnectionAsync(connection, ex is OperationCanceledException ? null : ex).ConfigureAwait(false);
        }
    }

    private async ValueTask SendAsync(Connection connection, MqttPacket packet, CancellationToken cancellationToken)
    {
        await connection.Transport.SendAsync(packet, cancellationToken).ConfigureAwait(false);
        connection.LastSent = _time.GetTimestamp();
    }

    private async Task<MqttPacket> RequestUntilAnsweredAsync(Func<ushort, MqttPacket> create, CancellationToken cancellationToken)
    {
        while (true)
        {
            var connection = await WaitReadyAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await RequestAsync(connection, create, cancellationToken).ConfigureAwait(false);
            }
            catch (ConnectionClosedException)
            {
                // lost before the answer: ask again on the next connection
            }
        }
    }

    private async Task<MqttPacket> RequestAsync(Connection connection, Func<ushort, MqttPacket> create, CancellationToken cancellationToken)
    {
        var request = new TaskCompletionSource<MqttPacket>(TaskCreationOptions.RunContinuationsAsynchronously);
        ushort id;
        lock (_gate)
        {
            if (connection.Closed.Task.IsCompleted)
            {
                throw new ConnectionClosedException();
            }
            id = NextPacketId();
            _requests.Add(id, request);
        }
        try
        {
            try
            {
                await SendAsync(connection, create(id), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                throw new ConnectionClosedException();
            }
            return await request.Task.WaitAsync(_options.RequestTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _requests.Remove(id);
            }
        }
    }

    private async Task<Connection> WaitReadyAsync(CancellationToken cancellationToken)
    {
        Task<Connection> signal;
        lock (_gate)
        {
            if (_state == MqttConnectionState.Closed || _stopping.IsCancellationRequested)
            {
                throw new MqttClientClosedException("the MQTT client is closed", _closedReason);
            }
            if (Volatile.Read(ref _started) == 0)
            {
                throw new InvalidOperationException("call ConnectAsync first");
            }
            signal = _readySignal.Task;
        }
        return await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task CloseConnectionAsync(Connection connection, Exception? reason)
    {
        // The first closer owns the close and its reason. Closing cancels the connection's token,
        // which makes the keep-alive loop close too (reason null); without this, that second close
        // could complete Closed first and the supervisor would report "closed" instead of, say,
        // the protocol violation that caused it. Later closers wait for the first to finish.
        if (Interlocked.Exchange(ref connection.CloseStarted, 1) == 1)
        {
            await connection.Closed.Task.ConfigureAwait(false);
            return;
        }
        List<TaskCompletionSource<MqttPacket>>? requests = null;
        lock (_gate)
        {
            if (_connection == connection)
            {
                _connection = null;
                _ready = null;
                if (_readySignal.Task.IsCompleted)
                {
                    _readySignal = NewReadySignal();
                }
                requests = [.. _requests.Values];
                _requests.Clear();
            }
        }
        if (requests is not null)
        {
            foreach (var r in requests)
            {
                r.TrySetException(new ConnectionClosedException());
            }
        }
        connection.Cancellation.Cancel();
        await connection.Transport.DisposeAsync().ConfigureAwait(false);
        connection.Closed.TrySetResult(reason);
    }

    private void Close(Exception reason)
    {
        List<OutgoingPublish> failed;
        TaskCompletionSource<Connection> signal;
        lock (_gate)
        {
            if (_state == MqttConnectionState.Closed)
            {
                return;
            }
            _closedReason = reason;
            failed = [.. _inFlight.Values];
            _inFlight.Clear();
            signal = _readySignal;
        }
        var closed = new MqttClientClosedException("the MQTT client is closed", reason);
        signal.TrySetException(closed);
        foreach (var p in failed)
        {
            p.Acknowledged.TrySetException(closed);
        }
        if (failed.Count > 0)
        {
            // wakes publishers queued for a slot; they see the closed state and throw
            _inFlightSlots.Release(failed.Count);
        }
        _messages.Writer.TryComplete();
        SetState(MqttConnectionState.Closed, sessionPresent: false, reason);
    }

    private ushort NextPacketId()
    {
        // caller holds _gate; ids in use by publishes or requests are skipped (spec 2.3.1-2)
        do
        {
            _lastPacketId = _lastPacketId == ushort.MaxValue ? (ushort)1 : (ushort)(_lastPacketId + 1);
        }
        while (_inFlight.ContainsKey(_lastPacketId) || _requests.ContainsKey(_lastPacketId));
        return _lastPacketId;
    }

    private void SetState(MqttConnectionState state, bool sessionPresent, Exception? reason)
    {
        lock (_gate)
        {
            if (_state == MqttConnectionState.Closed)
            {
                return;
            }
            _state = state;
        }
        try
        {
            ConnectionStateChanged?.Invoke(this, new MqttConnectionStateChangedEventArgs(state, sessionPresent, reason));
        }
#pragma warning disable CA1031 // a faulty handler must not stop the session
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.HandlerFailed(_logger, _options.ClientId, ex);
        }
    }

    private sealed class Connection(MqttPacketTransport transport, int generation, long now)
    {
        public MqttPacketTransport Transport { get; } = transport;

        public int Generation { get; } = generation;

        public CancellationTokenSource Cancellation { get; } = new();

        public TaskCompletionSource<Exception?> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task? Loops { get; set; }

        public long EstablishedAt { get; } = now;

        public long LastSent { get; set; } = now;

        public long LastReceived { get; set; } = now;

        public long PingSentAt { get; set; }

        public bool ReceiveBlocked { get; set; }

        /// <summary>1 once a close began (set with Interlocked: the loops and the owner race to close).</summary>
        public int CloseStarted;
    }

    private sealed class OutgoingPublish(MqttPublishPacket packet, long sequence)
    {
        public MqttPublishPacket Packet { get; } = packet;

        public long Sequence { get; } = sequence;

        /// <summary>The connection it was last sent on; 0 = never sent.</summary>
        public int SentGeneration { get; set; }

        public bool Dup { get; set; }

        public TaskCompletionSource Acknowledged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class ConnectionClosedException : IOException
    {
        public ConnectionClosedException()
            : base("the MQTT connection closed before the answer")
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "MQTT client {ClientId} connected to {Endpoint} (session present: {SessionPresent}, connection #{Generation})")]
        public static partial void Connected(ILogger logger, string clientId, string endpoint, bool sessionPresent, int generation);

        [LoggerMessage(2, LogLevel.Warning, "MQTT client {ClientId} lost its connection: {Reason}")]
        public static partial void ConnectionLost(ILogger logger, string clientId, string reason);

        [LoggerMessage(3, LogLevel.Warning, "MQTT client {ClientId} reconnect attempt {Attempt} after {Delay} failed: {ErrorType} {Error}")]
        public static partial void ReconnectFailed(ILogger logger, string clientId, int attempt, TimeSpan delay, string errorType, string error);

        [LoggerMessage(4, LogLevel.Error, "MQTT client {ClientId}: protocol violation by the server ({Error}): {Detail}")]
        public static partial void ProtocolViolation(ILogger logger, string clientId, MqttProtocolError error, string detail);

        [LoggerMessage(5, LogLevel.Error, "MQTT client {ClientId}: a ConnectionStateChanged handler failed")]
        public static partial void HandlerFailed(ILogger logger, string clientId, Exception exception);
    }
}
