using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using RetailEdge.IotHub.Credentials;

namespace RetailEdge.IotHub;

/// <summary>
/// An IoT Hub / edgeHub module client over the MQTTnet client (PROTOCOLS.md "Device/module MQTT",
/// ARCHITECTURE.md §7): telemetry with property bags and outputs, input messages with
/// application-controlled completion, twin GET / reported PATCH with <c>$rid</c> correlation and
/// timeouts, desired-property updates with the version rule, direct methods, connection status,
/// reconnect with back-off and a fresh SAS token before the current one expires.
/// Thread-safe and long-lived: one per module identity. No static state.
/// </summary>
public sealed partial class IotHubModuleClient : IAsyncDisposable
{
    /// <summary>PROTOCOLS.md: desired and reported properties are at most 32 KB each.</summary>
    public const int MaxReportedPatchSize = 32 * 1024;

    private readonly IotHubModuleClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SasTokenProvider _tokens;
    private readonly string _userName;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<TwinResult>> _pendingTwin = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<IotHubInputMessage, CancellationToken, Task<MessageResponse>>> _inputHandlers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<MethodRequest, CancellationToken, Task<MethodResponse>>> _methodHandlers = new(StringComparer.Ordinal);
    private Func<IotHubInputMessage, CancellationToken, Task<MessageResponse>>? _defaultInputHandler;
    private Func<MethodRequest, CancellationToken, Task<MethodResponse>>? _defaultMethodHandler;
    private Func<DesiredPropertiesUpdate, CancellationToken, Task>? _desiredHandler;
    private Session? _session;
    private IotHubConnectionStatus _status = IotHubConnectionStatus.Disconnected;
    private long _requestCounter;
    private long _malformedMessages;
    private long _unhandledInputMessages;
    private long _ignoredDesiredPatches;
    private long _tokenRenewals;
    private int _disposed;

    /// <summary>Creates a client; validates the options (throws <see cref="ArgumentException"/> naming the setting).</summary>
    public IotHubModuleClient(IotHubModuleClientOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = loggerFactory?.CreateLogger<IotHubModuleClient>() ?? (ILogger)NullLogger.Instance;
        _time = options.TimeProvider;
        _tokens = new SasTokenProvider(
            SharedAccessSignature.ModuleResourceUri(options.HostName, options.DeviceId, options.ModuleId),
            options.Signer, options.TokenTimeToLive, options.TokenRenewalFraction, options.TimeProvider);
        _userName = IotHubTopics.UserName(options.HostName, options.DeviceId, options.ModuleId, options.ApiVersion);
    }

    /// <summary>Raised on every status change. Runs on the connection's thread: keep handlers short.</summary>
    public event EventHandler<IotHubConnectionStatusChangedEventArgs>? ConnectionStatusChanged;

    /// <summary>Raised for a message that could not be interpreted; the raw input is in the arguments (quarantine it).</summary>
    public event EventHandler<MalformedMessageEventArgs>? MalformedMessageReceived;

    /// <summary>The current connection status.</summary>
    public IotHubConnectionStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>The device id.</summary>
    public string DeviceId => _options.DeviceId;

    /// <summary>The module id.</summary>
    public string ModuleId => _options.ModuleId;

    /// <summary>Messages refused as malformed (bad topic, property bag or JSON).</summary>
    public long MalformedMessages => Interlocked.Read(ref _malformedMessages);

    /// <summary>Input messages left unacknowledged because no handler was set for their input.</summary>
    public long UnhandledInputMessages => Interlocked.Read(ref _unhandledInputMessages);

    /// <summary>Desired patches ignored because their <c>$version</c> was not newer than the twin read on connect.</summary>
    public long IgnoredDesiredPatches => Interlocked.Read(ref _ignoredDesiredPatches);

    /// <summary>Reconnects made to present a fresh SAS token.</summary>
    public long TokenRenewals => Interlocked.Read(ref _tokenRenewals);

    /// <summary>
    /// Connects (retrying transient failures with back-off until <paramref name="cancellationToken"/>
    /// fires) and subscribes to twin responses and to whatever handlers are set. Throws
    /// <see cref="IotHubConnectException"/> when the hub refuses the identity or its token.
    /// </summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_session is not null)
            {
                throw new InvalidOperationException("the client is already open");
            }
            SetStatus(IotHubConnectionStatus.Connecting, null);
            var session = CreateSession();
            try
            {
                await EstablishAsync(session, firstConnect: true, cancellationToken).ConfigureAwait(false);
                session.Start(this);
            }
            catch (Exception ex)
            {
                await session.DisposeAsync().ConfigureAwait(false);
                SetStatus(IotHubConnectionStatus.Disconnected, ex);
                throw;
            }
            lock (_gate)
            {
                _session = session;
            }
            SetStatus(IotHubConnectionStatus.Connected, null);
            LogOpened(_logger, _options.DeviceId, _options.ModuleId, _options.GatewayHostName ?? _options.HostName);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Disconnects and stops the handlers; pending operations fail. The client can be opened again.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Session? session;
            lock (_gate)
            {
                session = _session;
                _session = null;
            }
            if (session is null)
            {
                return;
            }
            await session.CloseAsync(cancellationToken).ConfigureAwait(false);
            foreach (var pending in _pendingTwin.Values)
            {
                pending.TrySetException(new OperationCanceledException("the client was closed"));
            }
            SetStatus(IotHubConnectionStatus.Closed, null);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Sends telemetry (QoS 1) and completes when the hub acknowledged it (edgeHub acknowledges after
    /// storing). Waits while disconnected; cancel to give up. Throws <see cref="MessageTooLargeException"/>
    /// above 256 KB (body + property names and values).
    /// </summary>
    public Task SendEventAsync(IotHubMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SendCoreAsync(message, cancellationToken);
    }

    /// <summary>Sends telemetry through a module output (<c>$.on</c>), for edgeHub routes <c>FROM /messages/modules/m/outputs/o</c>.</summary>
    public Task SendEventAsync(string outputName, IotHubMessage message, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputName);
        ArgumentNullException.ThrowIfNull(message);
        return SendCoreAsync(message.WithOutputName(outputName), cancellationToken);
    }

    /// <summary>Reads the full twin (desired and reported with their versions).</summary>
    public async Task<ModuleTwin> GetTwinAsync(CancellationToken cancellationToken)
    {
        var result = await TwinRequestAsync(IotHubTopics.TwinGet, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        if (result.Status != 200)
        {
            throw new IotHubException(result.Status, $"the twin GET failed with status {result.Status}");
        }
        if (!ModuleTwin.TryParse(result.Payload.Span, out var twin, out var error))
        {
            throw new IotHubException(result.Status, error);
        }
        return twin;
    }

    /// <summary>
    /// Merges <paramref name="patch"/> into the reported properties (<c>null</c> deletes a property)
    /// and returns the new reported <c>$version</c> (null if the hub did not say).
    /// </summary>
    public async Task<long?> UpdateReportedPropertiesAsync(JsonObject patch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patch);
        var body = JsonSerializer.SerializeToUtf8Bytes(patch, ModuleTwinJson.Default.JsonObject);
        if (body.Length > MaxReportedPatchSize)
        {
            throw new ArgumentException($"the reported patch is {body.Length} bytes; twin sections are at most {MaxReportedPatchSize}", nameof(patch));
        }
        var result = await TwinRequestAsync(IotHubTopics.TwinPatchReported, body, cancellationToken).ConfigureAwait(false);
        if (result.Status is not (200 or 204))
        {
            throw new IotHubException(result.Status, $"the reported-properties PATCH failed with status {result.Status}");
        }
        return result.Version;
    }

    /// <summary>
    /// Sets the handler for one input. The handler's answer decides the acknowledgement: return
    /// <see cref="MessageResponse.Completed"/> only once the message is durably handled. Messages are
    /// handed over one at a time, in arrival order.
    /// </summary>
    public Task SetInputMessageHandlerAsync(string inputName, Func<IotHubInputMessage, CancellationToken, Task<MessageResponse>>? handler, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputName);
        lock (_gate)
        {
            SetOrRemove(_inputHandlers, inputName, handler);
        }
        return EnsureSubscribedAsync(Subscriptions.Inputs, cancellationToken);
    }

    /// <summary>Sets the handler for inputs without a specific handler.</summary>
    public Task SetDefaultInputMessageHandlerAsync(Func<IotHubInputMessage, CancellationToken, Task<MessageResponse>>? handler, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _defaultInputHandler = handler;
        }
        return EnsureSubscribedAsync(Subscriptions.Inputs, cancellationToken);
    }

    /// <summary>Sets the handler of one direct method (unknown methods get 501).</summary>
    public Task SetMethodHandlerAsync(string methodName, Func<MethodRequest, CancellationToken, Task<MethodResponse>>? handler, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(methodName);
        lock (_gate)
        {
            SetOrRemove(_methodHandlers, methodName, handler);
        }
        return EnsureSubscribedAsync(Subscriptions.Methods, cancellationToken);
    }

    /// <summary>Sets the handler for methods without a specific handler.</summary>
    public Task SetDefaultMethodHandlerAsync(Func<MethodRequest, CancellationToken, Task<MethodResponse>>? handler, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _defaultMethodHandler = handler;
        }
        return EnsureSubscribedAsync(Subscriptions.Methods, cancellationToken);
    }

    private static void SetOrRemove<THandler>(Dictionary<string, THandler> handlers, string name, THandler? handler)
        where THandler : class
    {
        if (handler is null)
        {
            handlers.Remove(name);
        }
        else
        {
            handlers[name] = handler;
        }
    }

    /// <summary>
    /// Sets the desired-properties handler. After every (re)connect it first gets the full desired
    /// section (a twin GET made after subscribing), then only patches with a newer <c>$version</c>.
    /// </summary>
    public Task SetDesiredPropertyUpdateHandlerAsync(Func<DesiredPropertiesUpdate, CancellationToken, Task>? handler, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _desiredHandler = handler;
        }
        return EnsureSubscribedAsync(Subscriptions.Desired, cancellationToken);
    }

    /// <summary>Closes the connection and stops everything.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await CloseAsync(CancellationToken.None).ConfigureAwait(false);
        _lifecycle.Dispose();
    }

    private async Task SendCoreAsync(IotHubMessage message, CancellationToken cancellationToken)
    {
        // PROTOCOLS.md: edgeHub rejects > 256 KB counting body + property names and values; refuse before sending
        message.Validate();
        var session = RequireSession();
        var topic = IotHubTopics.Telemetry(_options.DeviceId, _options.ModuleId, message.ToPropertyBag());
        await session.InFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await PublishAsync(session, topic, message.Body, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            session.InFlight.Release();
        }
    }

    /// <summary>
    /// Publishes once connected; when the connection is lost before the PUBACK (QoS 1) or before
    /// the packet left (QoS 0), waits for the reconnect and sends again — at least once, as the
    /// SDKs do. Only cancellation or the client closing end the wait.
    /// </summary>
    private static async Task PublishAsync(Session session, string topic, ReadOnlyMemory<byte> payload, MqttQualityOfServiceLevel qos, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayloadSegment(payload)
            .WithQualityOfServiceLevel(qos)
            .Build();
        while (true)
        {
            var generation = await session.WaitConnectedAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var result = await session.Mqtt.PublishAsync(message, cancellationToken).ConfigureAwait(false);
                if (!result.IsSuccess)
                {
                    throw new IotHubException($"the hub refused the message on {Truncate(topic)}: {result.ReasonCode}");
                }
                return;
            }
            catch (Exception ex) when (IsConnectionLoss(ex) && !cancellationToken.IsCancellationRequested)
            {
                // the connection went away under this publish: wait for the next one and resend
                session.MarkLost(generation);
            }
        }
    }

    /// <summary>What MQTTnet throws when the connection ends under an operation (callers check their own token first).</summary>
    private static bool IsConnectionLoss(Exception ex) =>
        ex is MqttCommunicationException or IOException or ObjectDisposedException or System.Net.Sockets.SocketException or OperationCanceledException;

    private Session RequireSession()
    {
        lock (_gate)
        {
            return _session ?? throw new InvalidOperationException("the client is not open: call OpenAsync first");
        }
    }

    private async Task<TwinResult> TwinRequestAsync(Func<string, string> topicFor, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var session = RequireSession();
        var rid = Interlocked.Increment(ref _requestCounter).ToString("x", CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<TwinResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingTwin[rid] = completion;
        using var timeout = new CancellationTokenSource(_options.OperationTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await PublishAsync(session, topicFor(rid), body, MqttQualityOfServiceLevel.AtMostOnce, linked.Token).ConfigureAwait(false);
            return await completion.Task.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no twin response for request {rid} within {_options.OperationTimeout}");
        }
        finally
        {
            _pendingTwin.TryRemove(rid, out _);
        }
    }

    /// <summary>The optional subscriptions the handlers set so far need (the twin responses are always subscribed).</summary>
    private Subscriptions WantedSubscriptions()
    {
        lock (_gate)
        {
            var wanted = Subscriptions.None;
            if (_desiredHandler is not null)
            {
                wanted |= Subscriptions.Desired;
            }
            if (_methodHandlers.Count > 0 || _defaultMethodHandler is not null)
            {
                wanted |= Subscriptions.Methods;
            }
            if (_inputHandlers.Count > 0 || _defaultInputHandler is not null)
            {
                wanted |= Subscriptions.Inputs;
            }
            return wanted;
        }
    }

    /// <summary>
    /// Subscribes to <paramref name="subscriptions"/> (and the twin responses when asked) and
    /// records them on the session; a new desired subscription asks for the full twin first.
    /// </summary>
    private async Task SubscribeAsync(Session session, Subscriptions subscriptions, bool twinResponses, CancellationToken cancellationToken)
    {
        // PROTOCOLS.md: twin and method traffic at QoS 0 (the response is the acknowledgement);
        // inputs at QoS 1 so an unacknowledged message is redelivered
        var filters = new List<MqttTopicFilter>();
        if (twinResponses)
        {
            filters.Add(Filter(IotHubTopics.TwinResponseFilter, MqttQualityOfServiceLevel.AtMostOnce));
        }
        if (subscriptions.HasFlag(Subscriptions.Desired))
        {
            filters.Add(Filter(IotHubTopics.DesiredPatchFilter, MqttQualityOfServiceLevel.AtMostOnce));
        }
        if (subscriptions.HasFlag(Subscriptions.Methods))
        {
            filters.Add(Filter(IotHubTopics.MethodRequestFilter, MqttQualityOfServiceLevel.AtMostOnce));
        }
        if (subscriptions.HasFlag(Subscriptions.Inputs))
        {
            filters.Add(Filter(IotHubTopics.ModuleInputFilter(_options.DeviceId, _options.ModuleId), MqttQualityOfServiceLevel.AtLeastOnce));
        }
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var result = await session.Mqtt.SubscribeAsync(new MqttClientSubscribeOptions { TopicFilters = filters }, linked.Token).ConfigureAwait(false);
        foreach (var item in result.Items)
        {
            if (item.ResultCode is not (MqttClientSubscribeResultCode.GrantedQoS0 or MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS2))
            {
                throw new IotHubException($"the hub refused the subscription to '{item.TopicFilter.Topic}' ({item.ResultCode})");
            }
        }
        lock (_gate)
        {
            session.Subscribed |= subscriptions;
        }
        if (subscriptions.HasFlag(Subscriptions.Desired))
        {
            session.RequestDesiredResync();
        }

        static MqttTopicFilter Filter(string topic, MqttQualityOfServiceLevel qos) =>
            new MqttTopicFilterBuilder().WithTopic(topic).WithQualityOfServiceLevel(qos).Build();
    }

    /// <summary>After a handler was set on an open client: subscribes to its topic unless already done.</summary>
    private async Task EnsureSubscribedAsync(Subscriptions subscription, CancellationToken cancellationToken)
    {
        Session? session;
        lock (_gate)
        {
            session = _session;
            if (session is null || session.Subscribed.HasFlag(subscription) || !WantedSubscriptions().HasFlag(subscription))
            {
                return;
            }
        }
        await SubscribeAsync(session, subscription, twinResponses: false, cancellationToken).ConfigureAwait(false);
    }

    private Session CreateSession()
    {
        var mqtt = new MqttClientFactory().CreateMqttClient();
        var session = new Session(mqtt, _options.MaxPendingMessages, _options.MaxInFlight);
        mqtt.ApplicationMessageReceivedAsync += e => DispatchAsync(session, e);
        mqtt.DisconnectedAsync += e =>
        {
            // only a connection that was up counts as lost; a failed attempt is the reconnect loop's business
            if (e.ClientWasConnected)
            {
                session.OnConnectionLost(e.Exception);
            }
            return Task.CompletedTask;
        };
        return session;
    }

    private async Task<MqttClientOptions> BuildConnectOptionsAsync(CancellationToken cancellationToken)
    {
        var token = await _tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        // PROTOCOLS.md: through a gateway connect to the gateway, keep the hub as the token audience
        var host = _options.GatewayHostName ?? _options.HostName;
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, _options.Port)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(IotHubTopics.ClientId(_options.DeviceId, _options.ModuleId))
            .WithCredentials(_userName, token.Token)
            .WithCleanSession(_options.CleanSession)
            .WithTimeout(_options.ConnectTimeout);
        builder = _options.KeepAlive == TimeSpan.Zero ? builder.WithNoKeepAlive() : builder.WithKeepAlivePeriod(_options.KeepAlive);
        if (_options.UseTls)
        {
            var roots = _options.TrustedRootCertificates;
            builder = builder.WithTlsOptions(tls => tls
                .UseTls()
                .WithTargetHost(host)
                .WithCertificateValidationHandler(e => TrustBundleValidation.IsTrusted(e.Certificate, e.Chain, e.SslPolicyErrors, roots)));
        }
        return builder.Build();
    }

    /// <summary>
    /// Connects with a freshly read token, retrying transient failures with back-off. On the first
    /// open a refused identity or token gets one more try with a freshly signed token and is then
    /// thrown; on a reconnect every failure is retried (the key may be rotated meanwhile).
    /// </summary>
    private async Task ConnectWithRetryAsync(Session session, bool firstConnect, CancellationToken cancellationToken)
    {
        var backoff = NewBackoff();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var options = await BuildConnectOptionsAsync(cancellationToken).ConfigureAwait(false);
                var result = await session.Mqtt.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
                if (result.ResultCode == MqttClientConnectResultCode.Success)
                {
                    return;
                }
                throw new IotHubConnectException(result.ResultCode);
            }
            catch (IotHubConnectException ex) when (ex.IsAuthenticationFailure)
            {
                // a fresh token next time (the clock or the key may have just changed)
                _tokens.Invalidate();
                LogConnectFailed(_logger, attempt, ex.Message);
                if (firstConnect && attempt >= 2)
                {
                    throw;
                }
                if (!firstConnect)
                {
                    await Task.Delay(backoff.Next(), _time, cancellationToken).ConfigureAwait(false);
                }
            }
            // InvalidOperationException: MQTTnet is still closing the previous connection
            catch (Exception ex) when (ex is IotHubConnectException or MqttCommunicationException or IOException or System.Net.Sockets.SocketException
                or TimeoutException or System.Security.Authentication.AuthenticationException or WorkloadApiException or InvalidOperationException
                || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                LogConnectFailed(_logger, attempt, ex.Message);
                await Task.Delay(backoff.Next(), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Open and every reconnect: connects (fresh token), subscribes to the twin responses and to
    /// what the handlers need (a hub without the session may have forgotten them; the full twin is
    /// asked for again), then lets operations through. On a reconnect a connection lost while
    /// subscribing is connected again; on open it is thrown.
    /// </summary>
    private async Task EstablishAsync(Session session, bool firstConnect, CancellationToken cancellationToken)
    {
        while (true)
        {
            await ConnectWithRetryAsync(session, firstConnect, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                // what the handlers want now, not what an earlier connection had
                session.Subscribed = Subscriptions.None;
            }
            try
            {
                await SubscribeAsync(session, WantedSubscriptions(), twinResponses: true, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (!firstConnect && IsConnectionLoss(ex) && !cancellationToken.IsCancellationRequested)
            {
                LogConnectFailed(_logger, 0, ex.Message);
            }
        }
        session.MarkConnected();
    }

    private ReconnectBackoff NewBackoff() => new(_options.ReconnectMinDelay, _options.ReconnectMaxDelay);

    /// <summary>Waits for a lost connection, then establishes it again (<see cref="EstablishAsync"/>).</summary>
    private async Task ConnectionLoopAsync(Session session, CancellationToken cancellationToken)
    {
        while (true)
        {
            var reason = await session.WaitLostAsync(cancellationToken).ConfigureAwait(false);
            if (session.Mqtt.IsConnected)
            {
                // a late report about the connection already replaced: keep operations flowing
                session.MarkConnected();
                continue;
            }
            SetStatus(IotHubConnectionStatus.Reconnecting, reason);
            await EstablishAsync(session, firstConnect: false, cancellationToken).ConfigureAwait(false);
            SetStatus(IotHubConnectionStatus.Connected, null);
        }
    }

    private void SetStatus(IotHubConnectionStatus status, Exception? reason)
    {
        lock (_gate)
        {
            if (_status == status)
            {
                return;
            }
            _status = status;
        }
        LogStatus(_logger, _options.DeviceId, _options.ModuleId, status, reason?.Message ?? string.Empty);
        try
        {
            ConnectionStatusChanged?.Invoke(this, new IotHubConnectionStatusChangedEventArgs(status, reason));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogHandlerFailed(_logger, "ConnectionStatusChanged", ex);
        }
    }

    private async Task ReportMalformedAsync(InboundMessage message, string reason)
    {
        Interlocked.Increment(ref _malformedMessages);
        LogMalformed(_logger, Truncate(message.Topic), reason);
        try
        {
            MalformedMessageReceived?.Invoke(this, new MalformedMessageEventArgs(message.Topic, message.Payload, reason));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogHandlerFailed(_logger, "MalformedMessageReceived", ex);
        }
        // handed to the application above: acknowledge so a poison message does not block the stream
        await message.AcknowledgeAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";

    /// <summary>
    /// Routes every inbound message (MQTTnet hands them over one at a time); never blocks on a
    /// handler except through the bounded queues, which hold the connection's reading back when full.
    /// The acknowledgement is left to the handler's outcome.
    /// </summary>
    private async Task DispatchAsync(Session session, MqttApplicationMessageReceivedEventArgs e)
    {
        e.AutoAcknowledge = false;
        var message = new InboundMessage(e);
        var topic = message.Topic;
        var cancellationToken = session.Stopping;
        try
        {
            if (IotHubTopics.TryParseTwinResponse(topic, out var twin))
            {
                if (_pendingTwin.TryGetValue(twin.RequestId, out var pending))
                {
                    pending.TrySetResult(new TwinResult(twin.Status, twin.Version, message.Payload));
                }
                else
                {
                    LogUnmatchedTwinResponse(_logger, twin.RequestId, twin.Status);
                }
                await message.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
            }
            // each topic is parsed here once; the loops get the parsed form with the message
            else if (IotHubTopics.TryParseDesiredPatch(topic, out var version))
            {
                await session.Desired.Writer.WriteAsync((message, version), cancellationToken).ConfigureAwait(false);
            }
            else if (IotHubTopics.TryParseMethodRequest(topic, out var request))
            {
                await session.Methods.Writer.WriteAsync((message, request), cancellationToken).ConfigureAwait(false);
            }
            else if (IotHubTopics.TryParseInput(topic, _options.DeviceId, _options.ModuleId, out var input))
            {
                await session.Inputs.Writer.WriteAsync((message, input), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ReportMalformedAsync(message, "unknown topic").ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            // closing: an unacknowledged QoS 1 message is redelivered to the next session
        }
    }

    private async Task InputLoopAsync(Session session, CancellationToken cancellationToken)
    {
        await foreach (var (message, input) in session.Inputs.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!IotHubMessage.TryFromPropertyBag(message.Payload, input.PropertyBag, out var parsed, out var error))
            {
                await ReportMalformedAsync(message, error).ConfigureAwait(false);
                continue;
            }
            Func<IotHubInputMessage, CancellationToken, Task<MessageResponse>>? handler;
            lock (_gate)
            {
                handler = _inputHandlers.GetValueOrDefault(input.InputName) ?? _defaultInputHandler;
            }
            if (handler is null)
            {
                Interlocked.Increment(ref _unhandledInputMessages);
                LogUnhandledInput(_logger, input.InputName);
                continue;
            }
            MessageResponse response;
            try
            {
                response = await handler(new IotHubInputMessage(input.InputName, parsed, message.IsRedelivery), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogHandlerFailed(_logger, "input " + input.InputName, ex);
                response = MessageResponse.Abandoned;
            }
            if (response == MessageResponse.Completed)
            {
                await message.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task MethodLoopAsync(Session session, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(_options.MaxConcurrentMethods, _options.MaxConcurrentMethods);
        var running = new List<Task>();
        try
        {
            await foreach (var (message, request) in session.Methods.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await message.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                running.RemoveAll(t => t.IsCompleted);
                running.Add(RunMethodAsync(session, request, message.Payload, slots, cancellationToken));
            }
        }
        finally
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    private async Task RunMethodAsync(Session session, MethodRequestTopic request, ReadOnlyMemory<byte> payload, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        try
        {
            MethodResponse response;
            Func<MethodRequest, CancellationToken, Task<MethodResponse>>? handler;
            lock (_gate)
            {
                handler = _methodHandlers.GetValueOrDefault(request.MethodName) ?? _defaultMethodHandler;
            }
            if (payload.Length > MethodResponse.MaxPayloadSize)
            {
                response = MethodResponse.Json(413, "{\"message\":\"the method payload exceeds 128 KB\"}");
            }
            else if (handler is null)
            {
                response = MethodResponse.Json(501, JsonSerializer.Serialize(new JsonObject { ["message"] = $"method '{request.MethodName}' is not implemented" }, ModuleTwinJson.Default.JsonObject));
            }
            else
            {
                try
                {
                    response = await handler(new MethodRequest(request.MethodName, payload, request.RequestId), cancellationToken).ConfigureAwait(false);
                    if (response.Payload.Length > MethodResponse.MaxPayloadSize)
                    {
                        response = MethodResponse.Json(500, "{\"message\":\"the method response exceeds 128 KB\"}");
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    LogHandlerFailed(_logger, "method " + request.MethodName, ex);
                    response = MethodResponse.Json(500, JsonSerializer.Serialize(new JsonObject { ["message"] = $"the method handler failed: {ex.GetType().Name}" }, ModuleTwinJson.Default.JsonObject));
                }
            }
            await PublishAsync(session, IotHubTopics.MethodResponse(response.Status, request.RequestId), response.Payload, MqttQualityOfServiceLevel.AtMostOnce, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (IsConnectionLoss(ex))
        {
            LogHandlerFailed(_logger, "method response " + request.MethodName, ex);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>
    /// PROTOCOLS.md version rule: after (re)connecting and subscribing, GET the full twin and deliver
    /// it, then ignore desired patches whose <c>$version</c> is not above the one retrieved.
    /// </summary>
    private async Task DesiredLoopAsync(Session session, CancellationToken cancellationToken)
    {
        long delivered = -1;
        // a null item is the "read the full twin" marker written on (re)connect
        await foreach (var item in session.Desired.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (session.TakeDesiredResync())
            {
                delivered = await ResyncDesiredAsync(session, cancellationToken).ConfigureAwait(false);
            }
            if (item is not var (message, topicVersion))
            {
                continue;
            }
            if (delivered < 0)
            {
                // no full twin read yet: the GET that follows includes this patch
                Interlocked.Increment(ref _ignoredDesiredPatches);
                continue;
            }
            JsonObject? patch = null;
            try
            {
                patch = JsonNode.Parse(message.Payload.Span, documentOptions: new JsonDocumentOptions { MaxDepth = 32 }) as JsonObject;
            }
            catch (JsonException)
            {
            }
            if (patch is null)
            {
                await ReportMalformedAsync(message, "the desired patch is not a JSON object").ConfigureAwait(false);
                continue;
            }
            var version = topicVersion ?? ModuleTwin.ReadVersion(patch);
            if (version <= delivered)
            {
                Interlocked.Increment(ref _ignoredDesiredPatches);
                LogIgnoredPatch(_logger, version, delivered);
                continue;
            }
            if (await DeliverDesiredAsync(new DesiredPropertiesUpdate(patch, version, IsFullTwin: false), cancellationToken).ConfigureAwait(false))
            {
                delivered = version;
            }
        }
    }

    private async Task<long> ResyncDesiredAsync(Session session, CancellationToken cancellationToken)
    {
        var backoff = NewBackoff();
        while (true)
        {
            try
            {
                var twin = await GetTwinAsync(cancellationToken).ConfigureAwait(false);
                var version = twin.DesiredVersion;
                await DeliverDesiredAsync(new DesiredPropertiesUpdate(twin.Desired, version, IsFullTwin: true), cancellationToken).ConfigureAwait(false);
                return version;
            }
            catch (Exception ex) when (ex is TimeoutException or IotHubException or IOException or MqttCommunicationException)
            {
                LogResyncFailed(_logger, ex.Message);
                await Task.Delay(backoff.Next(), _time, cancellationToken).ConfigureAwait(false);
                // a newer connection may have asked again meanwhile: the next GET serves both
                session.TakeDesiredResync();
            }
        }
    }

    private async Task<bool> DeliverDesiredAsync(DesiredPropertiesUpdate update, CancellationToken cancellationToken)
    {
        Func<DesiredPropertiesUpdate, CancellationToken, Task>? handler;
        lock (_gate)
        {
            handler = _desiredHandler;
        }
        if (handler is null)
        {
            return false;
        }
        try
        {
            await handler(update, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogHandlerFailed(_logger, "desired properties", ex);
            return true;
        }
    }

    /// <summary>Reconnects with a fresh token when the current one reaches its renewal time.</summary>
    private async Task RenewalLoopAsync(Session session, CancellationToken cancellationToken)
    {
        while (true)
        {
            var token = await _tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
            var wait = token.RenewAt - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
            if (session.Mqtt.IsConnected)
            {
                // sign anew for the reconnect even if the timer fired a moment before the renewal time
                _tokens.Invalidate();
                Interlocked.Increment(ref _tokenRenewals);
                LogRenewing(_logger, _options.DeviceId, _options.ModuleId);
                try
                {
                    // the connection loop reconnects with the fresh token; sends in flight are resent
                    await session.Mqtt.DisconnectAsync(new MqttClientDisconnectOptions(), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsConnectionLoss(ex) && !cancellationToken.IsCancellationRequested)
                {
                    // already gone: the connection loop is on it
                }
            }
            // the next GetTokenAsync signs the fresh token the reconnect will present
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "IoT Hub module client {DeviceId}/{ModuleId} opened to {Endpoint}")]
    private static partial void LogOpened(ILogger logger, string deviceId, string moduleId, string endpoint);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "IoT Hub module client {DeviceId}/{ModuleId} is {Status} {Reason}")]
    private static partial void LogStatus(ILogger logger, string deviceId, string moduleId, IotHubConnectionStatus status, string reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "IoT Hub connect attempt {Attempt} failed: {Error}")]
    private static partial void LogConnectFailed(ILogger logger, int attempt, string error);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "IoT Hub module client {DeviceId}/{ModuleId} reconnecting to present a fresh SAS token")]
    private static partial void LogRenewing(ILogger logger, string deviceId, string moduleId);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "IoT Hub message refused (reason {Reason}) on topic {Topic}")]
    private static partial void LogMalformed(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "IoT Hub input {InputName} has no handler: message left unacknowledged")]
    private static partial void LogUnhandledInput(ILogger logger, string inputName);

    [LoggerMessage(EventId = 16, Level = LogLevel.Error, Message = "IoT Hub {Handler} handler failed")]
    private static partial void LogHandlerFailed(ILogger logger, string handler, Exception exception);

    [LoggerMessage(EventId = 17, Level = LogLevel.Debug, Message = "IoT Hub twin response {RequestId} ({Status}) matches no pending request")]
    private static partial void LogUnmatchedTwinResponse(ILogger logger, string requestId, int status);

    [LoggerMessage(EventId = 18, Level = LogLevel.Debug, Message = "IoT Hub desired patch {Version} ignored: twin version {Delivered} already delivered")]
    private static partial void LogIgnoredPatch(ILogger logger, long version, long delivered);

    [LoggerMessage(EventId = 19, Level = LogLevel.Warning, Message = "IoT Hub twin GET after connect failed, retrying: {Error}")]
    private static partial void LogResyncFailed(ILogger logger, string error);

    /// <summary>The subscriptions a handler needs; the twin responses are always subscribed.</summary>
    [Flags]
    private enum Subscriptions
    {
        None = 0,
        Desired = 1,
        Methods = 2,
        Inputs = 4,
    }

    private readonly record struct TwinResult(int Status, long? Version, ReadOnlyMemory<byte> Payload);

    /// <summary>A received message with what is needed to acknowledge it once handled.</summary>
    private sealed class InboundMessage(MqttApplicationMessageReceivedEventArgs received)
    {
        public string Topic { get; } = received.ApplicationMessage.Topic;

        // copied: MQTTnet may reuse the receive buffer once the handler returns
        public ReadOnlyMemory<byte> Payload { get; } = System.Buffers.BuffersExtensions.ToArray(received.ApplicationMessage.Payload);

        public bool IsRedelivery => received.ApplicationMessage.Dup;

        /// <summary>Sends the PUBACK (QoS 1); a lost connection is no error: the hub redelivers the message.</summary>
        public async Task AcknowledgeAsync(CancellationToken cancellationToken)
        {
            try
            {
                await received.AcknowledgeAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsConnectionLoss(ex) && !cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>
    /// One client lifetime (open → close): the MQTTnet client, its queues and loops, and whether the
    /// connection is up (a generation number tells a stale loss report from a current one).
    /// </summary>
    private sealed class Session(IMqttClient mqtt, int capacity, int maxInFlight) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stopping = new();
        private readonly object _gate = new();
        private readonly Channel<Exception?> _lost = Channel.CreateUnbounded<Exception?>(new UnboundedChannelOptions { SingleReader = true });
        private TaskCompletionSource<long> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _generation;
        private int _resync;
        private Task _loops = Task.CompletedTask;

        public IMqttClient Mqtt { get; } = mqtt;

        public CancellationToken Stopping => _stopping.Token;

        public SemaphoreSlim InFlight { get; } = new(maxInFlight, maxInFlight);

        public Channel<(InboundMessage Message, InputTopic Input)> Inputs { get; } =
            Channel.CreateBounded<(InboundMessage, InputTopic)>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });

        public Channel<(InboundMessage Message, MethodRequestTopic Request)> Methods { get; } =
            Channel.CreateBounded<(InboundMessage, MethodRequestTopic)>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });

        /// <summary>Desired patches with their topic's <c>$version</c>; null is the "read the full twin" marker.</summary>
        public Channel<(InboundMessage Message, long? Version)?> Desired { get; } =
            Channel.CreateBounded<(InboundMessage, long?)?>(new BoundedChannelOptions(capacity) { SingleReader = true });

        /// <summary>What this session subscribed to beyond the twin responses (guarded by the client's gate).</summary>
        public Subscriptions Subscribed { get; set; }

        public void MarkConnected()
        {
            lock (_gate)
            {
                _generation++;
                _connected.TrySetResult(_generation);
            }
        }

        /// <summary>Waits until connected; returns the connection's generation.</summary>
        public async Task<long> WaitConnectedAsync(CancellationToken cancellationToken)
        {
            Task<long> connected;
            lock (_gate)
            {
                connected = _connected.Task;
            }
            if (connected.IsCompletedSuccessfully)
            {
                return connected.Result;
            }
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            return await connected.WaitAsync(linked.Token).ConfigureAwait(false);
        }

        /// <summary>An operation failed on connection <paramref name="generation"/>: hold further operations until the next one.</summary>
        public void MarkLost(long generation)
        {
            lock (_gate)
            {
                if (_generation != generation || !_connected.Task.IsCompleted)
                {
                    return;
                }
                _connected = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            _lost.Writer.TryWrite(null);
        }

        public void OnConnectionLost(Exception? reason)
        {
            lock (_gate)
            {
                if (_connected.Task.IsCompleted)
                {
                    _connected = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
            _lost.Writer.TryWrite(reason);
        }

        public async Task<Exception?> WaitLostAsync(CancellationToken cancellationToken) =>
            await _lost.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);

        public void RequestDesiredResync()
        {
            Interlocked.Exchange(ref _resync, 1);
            // when the queue is full the loop wakes for the queued patches and sees the flag first
            Desired.Writer.TryWrite(null);
        }

        public bool TakeDesiredResync() => Interlocked.Exchange(ref _resync, 0) == 1;

        public void Start(IotHubModuleClient owner)
        {
            var token = _stopping.Token;
            _loops = Task.WhenAll(
                Run(() => owner.ConnectionLoopAsync(this, token)),
                Run(() => owner.InputLoopAsync(this, token)),
                Run(() => owner.MethodLoopAsync(this, token)),
                Run(() => owner.DesiredLoopAsync(this, token)),
                Run(() => owner.RenewalLoopAsync(this, token)));

            Task Run(Func<Task> loop) => Task.Run(async () =>
            {
                try
                {
                    await loop().ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                }
                catch (ChannelClosedException)
                {
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    LogHandlerFailed(owner._logger, "background loop", ex);
                }
            }, CancellationToken.None);
        }

        public async Task CloseAsync(CancellationToken cancellationToken)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            try
            {
                if (Mqtt.IsConnected)
                {
                    await Mqtt.DisconnectAsync(new MqttClientDisconnectOptions(), cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (IsConnectionLoss(ex))
            {
            }
            await DisposeAsync().ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stopping.IsCancellationRequested)
            {
                await _stopping.CancelAsync().ConfigureAwait(false);
            }
            Mqtt.Dispose();
            await _loops.ConfigureAwait(false);
            // InFlight is left to the collector: a send still waiting on it fails with the cancellation, not ObjectDisposedException
            _stopping.Dispose();
        }
    }
}
