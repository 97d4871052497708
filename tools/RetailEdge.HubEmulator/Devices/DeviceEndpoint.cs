using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using RetailEdge.HubEmulator.Registry;
using RetailEdge.HubEmulator.Routing;
using RetailEdge.HubEmulator.Twins;
using RetailEdge.IotHub;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;
using RetailEdge.IotHub.Credentials;

namespace RetailEdge.HubEmulator.Devices;

/// <summary>
/// The device side of the hub over MQTT 3.1.1 (ARCHITECTURE.md §7, PROTOCOLS.md "Device/module
/// MQTT"), on MQTTnet.Server: SAS-authenticated CONNECT with IoT Hub's client id and user-name
/// rules, per-identity topic authorization, telemetry into routing, twin GET and reported PATCH,
/// desired patches, direct methods. Nothing a device publishes is forwarded to another client:
/// the hub consumes every message, and sends to one identity's session only. Anything else
/// (another topic, QoS 2, an oversize message) closes the connection, as IoT Hub does, with the
/// reason logged (never the token); malformed packets are closed by the server itself.
/// </summary>
internal sealed partial class DeviceEndpoint : IAsyncDisposable
{
    private const int MaxMessageIdLength = 128;

    /// <summary>Messages queued for one client (twin responses, desired patches, method requests); more are refused.</summary>
    private const int MaxQueuedMessagesPerClient = 1000;

    private readonly HubEmulatorOptions _options;
    private readonly HubRegistry _registry;
    private readonly TwinStore _twins;
    private readonly ConnectionRegistry _connections;
    private readonly RoutingBatcher _routing;
    private readonly EventHubs.EventHubLog _events;
    private readonly DeviceEndpointMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly MqttServer _server;
    private readonly MqttServerOptions _serverOptions;
    private readonly ConcurrentDictionary<string, MqttDeviceSession> _sessions = new(StringComparer.Ordinal);

    public DeviceEndpoint(HubEmulatorOptions options, HubRegistry registry, TwinStore twins, ConnectionRegistry connections, RoutingBatcher routing,
        EventHubs.EventHubLog events, DeviceEndpointMetrics metrics, X509Certificate2? certificate, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        _options = options;
        _registry = registry;
        _twins = twins;
        _connections = connections;
        _routing = routing;
        _events = events;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _logger = loggerFactory.CreateLogger<DeviceEndpoint>();
        var builder = new MqttServerOptionsBuilder()
            .WithMaxPendingMessagesPerClient(MaxQueuedMessagesPerClient)
            .WithPendingMessagesOverflowStrategy(MqttPendingMessagesOverflowStrategy.DropNewMessage)
            // time for the TLS handshake and CONNECT, and for a send to one client
            .WithDefaultCommunicationTimeout(TimeSpan.FromSeconds(10));
        builder = certificate is null
            ? builder.WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(options.MqttEndPoint.Address).WithDefaultEndpointPort(options.MqttEndPoint.Port)
            : builder.WithoutDefaultEndpoint().WithEncryptedEndpoint().WithEncryptedEndpointBoundIPAddress(options.MqttEndPoint.Address)
                .WithEncryptedEndpointPort(options.MqttEndPoint.Port).WithEncryptionCertificate(certificate);
        _serverOptions = builder.Build();
        _server = new MqttServerFactory().CreateMqttServer(_serverOptions);
        _server.ValidatingConnectionAsync += e =>
        {
            Authenticate(e);
            return Task.CompletedTask;
        };
        _server.ClientConnectedAsync += e =>
        {
            OnClientConnected(e.ClientId, e.RemoteEndPoint?.ToString() ?? string.Empty);
            return Task.CompletedTask;
        };
        _server.ClientDisconnectedAsync += e =>
        {
            OnClientDisconnected(e.ClientId, e.RemoteEndPoint?.ToString() ?? string.Empty, e.DisconnectType);
            return Task.CompletedTask;
        };
        _server.InterceptingSubscriptionAsync += e =>
        {
            AuthorizeSubscribe(e);
            return Task.CompletedTask;
        };
        _server.InterceptingPublishAsync += OnPublishAsync;
    }

    /// <summary>
    /// The largest PUBLISH accepted before its topic is even read: the 256 KB rule counts body +
    /// properties, and the topic adds at most a few KB on top; the rest is checked exactly.
    /// </summary>
    private int MaxPublishPayload => _options.MaxMessageBytes + 16 * 1024;

    public IPEndPoint? BoundEndPoint { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _server.StartAsync().ConfigureAwait(false);
        // port 0: MQTTnet writes the port it bound back into the endpoint options
        var port = _serverOptions.DefaultEndpointOptions.IsEnabled ? _serverOptions.DefaultEndpointOptions.Port : _serverOptions.TlsEndpointOptions.Port;
        BoundEndPoint = new IPEndPoint(_options.MqttEndPoint.Address, port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await DisposeAsync().ConfigureAwait(false);
        foreach (var session in _sessions.Values)
        {
            session.OnDisconnected();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server.IsStarted)
        {
            await _server.StopAsync(new MqttServerStopOptions()).ConfigureAwait(false);
        }
        _server.Dispose();
    }

    /// <summary>Queues a message for one connected identity only (never through subscriptions of others); false when it is gone or its queue is full.</summary>
    internal async Task<bool> SendToClientAsync(string clientId, string topic, ReadOnlyMemory<byte> payload)
    {
        MqttSessionStatus session;
        try
        {
            session = await _server.GetSessionAsync(clientId).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayloadSegment(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce)
            .Build();
        return session is not null && session.TryEnqueueApplicationMessage(message, out _);
    }

    /// <summary>Closes one client's connection; false when it is not connected.</summary>
    internal async Task<bool> DisconnectClientAsync(string clientId)
    {
        try
        {
            await _server.DisconnectClientAsync(clientId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.NormalDisconnection }).ConfigureAwait(false);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private void Authenticate(ValidatingConnectionEventArgs context)
    {
        var clientId = context.ClientId ?? string.Empty;
        if (context.ProtocolVersion != MqttProtocolVersion.V311)
        {
            Refuse(context, MqttConnectReasonCode.UnsupportedProtocolVersion, $"IoT Hub speaks MQTT 3.1.1, not {context.ProtocolVersion}");
            return;
        }
        var identity = ConnectRules.ParseClientId(clientId);
        if (identity is null)
        {
            Refuse(context, MqttConnectReasonCode.ClientIdentifierNotValid, "the client id is not {deviceId} or {deviceId}/{moduleId}");
            return;
        }
        var key = _registry.KeyOf(identity.Value);
        if (key is null)
        {
            Refuse(context, MqttConnectReasonCode.NotAuthorized, "the identity is not registered");
            return;
        }
        var userNameError = ConnectRules.CheckUserName(context.UserName, identity.Value, _registry.HostName);
        if (userNameError is not null)
        {
            Refuse(context, MqttConnectReasonCode.BadUserNameOrPassword, userNameError);
            return;
        }
        var resource = identity.Value.ModuleId is null
            ? SharedAccessSignature.DeviceResourceUri(_registry.HostName, identity.Value.DeviceId)
            : SharedAccessSignature.ModuleResourceUri(_registry.HostName, identity.Value.DeviceId, identity.Value.ModuleId);
        // the identity's own key; for a module also its device's key, since a device-scoped token
        // (sr = the device's resource) is valid for the device's modules (PROTOCOLS.md)
        var keys = new List<byte[]> { SharedAccessSignature.DecodeKey(key) };
        if (identity.Value.ModuleId is not null && _registry.FindDevice(identity.Value.DeviceId) is { } device)
        {
            keys.Add(SharedAccessSignature.DecodeKey(device.PrimaryKey));
        }
        var password = context.RawPassword is null ? null : context.Password;
        var result = SasTokenValidator.Validate(password, resource, keys, _timeProvider.GetUtcNow());
        if (!result.IsValid)
        {
            Refuse(context, MqttConnectReasonCode.NotAuthorized, $"{result.Error}: {result.Message}");
        }
    }

    private void Refuse(ValidatingConnectionEventArgs context, MqttConnectReasonCode code, string reason)
    {
        context.ReasonCode = code;
        _metrics.ConnectionRefused();
        // the reason and the client id only; the password (a SAS token) never reaches a log
        LogConnectRefused(_logger, Truncate(context.ClientId ?? string.Empty), context.RemoteEndPoint?.ToString() ?? string.Empty, code, reason);
    }

    private void OnClientConnected(string clientId, string remoteEndPoint)
    {
        var identity = ConnectRules.ParseClientId(clientId);
        if (identity is null)
        {
            return;
        }
        var session = new MqttDeviceSession(identity.Value, clientId, remoteEndPoint, this, _timeProvider);
        _sessions[clientId] = session;
        var previous = _connections.Register(session);
        if (previous is MqttDeviceSession old)
        {
            // the MQTT server already closed the older connection of this client id
            old.OnDisconnected();
        }
        _metrics.ConnectionAccepted();
        LogConnected(_logger, identity.Value.ToString(), remoteEndPoint);
    }

    private void OnClientDisconnected(string clientId, string remoteEndPoint, MqttClientDisconnectType type)
    {
        // only the connection that ends: a newer one of the same identity may already be registered
        if (_sessions.TryGetValue(clientId, out var session) && session.RemoteEndPoint == remoteEndPoint)
        {
            _sessions.TryRemove(new KeyValuePair<string, MqttDeviceSession>(clientId, session));
            _connections.Unregister(session);
            session.OnDisconnected();
            LogDisconnected(_logger, session.Identity.ToString(), type.ToString());
        }
    }

    private void AuthorizeSubscribe(InterceptingSubscriptionEventArgs context)
    {
        if (!_sessions.TryGetValue(context.ClientId, out var session))
        {
            RefuseSubscription(context);
            return;
        }
        var filter = context.TopicFilter.Topic;
        var identity = session.Identity;
        var allowed = filter is IotHubTopics.TwinResponseFilter or IotHubTopics.DesiredPatchFilter or IotHubTopics.MethodRequestFilter
            || (identity.ModuleId is not null && filter == IotHubTopics.ModuleInputFilter(identity.DeviceId, identity.ModuleId))
            || (identity.ModuleId is null && filter == $"devices/{identity.DeviceId}/messages/devicebound/#");
        if (!allowed)
        {
            LogSubscribeRefused(_logger, identity.ToString(), Truncate(filter));
            RefuseSubscription(context);
            return;
        }
        session.OnSubscribed(filter);
        if (filter == IotHubTopics.MethodRequestFilter)
        {
            _connections.NotifyReady(identity);
        }
        // IoT Hub grants at most QoS 1
        var granted = context.TopicFilter.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce;
        context.TopicFilter.QualityOfServiceLevel = granted;
        context.Response.ReasonCode = granted == MqttQualityOfServiceLevel.AtMostOnce ? MqttSubscribeReasonCode.GrantedQoS0 : MqttSubscribeReasonCode.GrantedQoS1;
    }

    private static void RefuseSubscription(InterceptingSubscriptionEventArgs context)
    {
        // SUBACK return code 0x80 (spec 3.9.3)
        context.ProcessSubscription = false;
        context.Response.ReasonCode = MqttSubscribeReasonCode.UnspecifiedError;
    }

    private async Task OnPublishAsync(InterceptingPublishEventArgs context)
    {
        // the hub consumes every device message: nothing is routed to other clients' subscriptions
        context.ProcessPublish = false;
        var disposition = await ClassifyPublishAsync(context).ConfigureAwait(false);
        // closing the connection skips the PUBACK, as IoT Hub does for a refused message
        context.CloseConnection = disposition == PublishDisposition.Disconnect;
    }

    private async Task<PublishDisposition> ClassifyPublishAsync(InterceptingPublishEventArgs context)
    {
        if (!_sessions.TryGetValue(context.ClientId, out var session))
        {
            return PublishDisposition.Disconnect;
        }
        var message = context.ApplicationMessage;
        var topic = message.Topic;
        if (message.QualityOfServiceLevel == MqttQualityOfServiceLevel.ExactlyOnce)
        {
            return Reject(session, "QoS 2 is not supported by IoT Hub");
        }
        if (message.Payload.Length > MaxPublishPayload)
        {
            return Reject(session, $"message of {message.Payload.Length} bytes exceeds the {_options.MaxMessageBytes}-byte limit");
        }
        var payload = System.Buffers.BuffersExtensions.ToArray(message.Payload);
        var cancellationToken = context.CancellationToken;
        if (IotHubTopics.TryParseTelemetry(topic, out var telemetry))
        {
            return await OnTelemetryAsync(session, telemetry, payload, cancellationToken).ConfigureAwait(false);
        }
        if (IotHubTopics.TryParseTwinRequest(topic, out var twinRequest))
        {
            _metrics.TwinRequest();
            await OnTwinRequestAsync(session, twinRequest, payload).ConfigureAwait(false);
            return PublishDisposition.Acknowledge;
        }
        if (IotHubTopics.TryParseMethodResponse(topic, out var methodResponse))
        {
            if (!session.CompleteMethod(methodResponse.RequestId, methodResponse.Status, payload))
            {
                LogLateMethodResponse(_logger, session.Identity.ToString(), methodResponse.RequestId);
            }
            return PublishDisposition.Acknowledge;
        }
        return Reject(session, "publish to a topic IoT Hub does not accept from a device: " + Truncate(topic));
    }

    private async Task<PublishDisposition> OnTelemetryAsync(MqttDeviceSession session, TelemetryTopic telemetry, byte[] payload, CancellationToken cancellationToken)
    {
        var identity = session.Identity;
        if (telemetry.DeviceId != identity.DeviceId || telemetry.ModuleId != identity.ModuleId)
        {
            return Reject(session, "telemetry on another identity's topic");
        }
        if (!PropertyBag.TryDecode(telemetry.PropertyBag, out var bag, out var bagError))
        {
            return Reject(session, "bad property bag: " + bagError);
        }
        // PROTOCOLS.md: the 256 KB limit counts the body and every property name and value
        var size = payload.Length + bag.Sum(p => Encoding.UTF8.GetByteCount(p.Key) + Encoding.UTF8.GetByteCount(p.Value));
        if (size > _options.MaxMessageBytes)
        {
            return Reject(session, $"message of {size} bytes exceeds the {_options.MaxMessageBytes}-byte limit");
        }
        bag.TryGetValue(IotHubSystemProperties.MessageId, out var messageId);
        if (messageId is { Length: > MaxMessageIdLength } || (messageId is not null && !messageId.All(char.IsAscii)))
        {
            return Reject(session, "message id longer than 128 characters or not ASCII");
        }
        bag.TryGetValue(IotHubSystemProperties.CorrelationId, out var correlationId);
        bag.TryGetValue(IotHubSystemProperties.ContentType, out var contentType);
        bag.TryGetValue(IotHubSystemProperties.ContentEncoding, out var contentEncoding);
        var properties = bag.Where(p => !IotHubSystemProperties.IsSystemProperty(p.Key)).ToList();
        var message = new RoutedMessage(identity, _registry.GenerationIdOf(identity) ?? string.Empty, _timeProvider.GetUtcNow(),
            properties, messageId, correlationId, contentType, contentEncoding, payload);
        try
        {
            // the built-in endpoint first: a message it cannot keep is refused (not acknowledged), so the device sends it again and routing gets no duplicate
            _events.Append(message);
        }
        catch (IOException ex)
        {
            return Reject(session, "the message could not be stored in the built-in endpoint: " + ex.Message);
        }
        var written = _routing.Append(message);
        _metrics.TelemetryAcceptedOne();
        if (_options.AcknowledgeAfterWrite)
        {
            // durable acknowledgement: PUBACK only once the routed file holding the record exists
            await written.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        return PublishDisposition.Acknowledge;
    }

    private async Task OnTwinRequestAsync(MqttDeviceSession session, TwinRequestTopic request, byte[] payload)
    {
        int status;
        byte[] body = [];
        long? version = null;
        if (request.Kind == TwinRequestKind.Get)
        {
            var view = _twins.GetDeviceView(session.Identity);
            status = view is null ? 404 : 200;
            if (view is not null)
            {
                body = Encoding.UTF8.GetBytes(view.ToJsonString());
            }
        }
        else
        {
            JsonObject? patch = null;
            string? error = null;
            try
            {
                patch = JsonNode.Parse(payload, documentOptions: new JsonDocumentOptions { MaxDepth = 32 }) as JsonObject;
                error = patch is null ? "the reported patch must be a JSON object" : null;
            }
            catch (JsonException ex)
            {
                error = "the reported patch is not valid JSON: " + ex.Message;
            }
            if (patch is null)
            {
                status = 400;
                LogReportedRejected(_logger, session.Identity.ToString(), error!);
                body = Encoding.UTF8.GetBytes(new JsonObject { ["errorCode"] = 400004, ["message"] = error }.ToJsonString());
            }
            else
            {
                var result = _twins.PatchReported(session.Identity, patch);
                if (result.Status == TwinUpdateStatus.Ok)
                {
                    status = 204;
                    version = result.Version;
                }
                else
                {
                    status = result.Status == TwinUpdateStatus.NotFound ? 404 : 400;
                    LogReportedRejected(_logger, session.Identity.ToString(), result.Error!);
                    body = Encoding.UTF8.GetBytes(new JsonObject { ["errorCode"] = 400004, ["message"] = result.Error }.ToJsonString());
                }
            }
        }
        await SendToClientAsync(session.ClientId, IotHubTopics.TwinResponse(status, request.RequestId, version), body).ConfigureAwait(false);
    }

    private PublishDisposition Reject(MqttDeviceSession session, string reason)
    {
        _metrics.PublishRejected();
        LogPublishRejected(_logger, session.Identity.ToString(), reason);
        return PublishDisposition.Disconnect;
    }

    private enum PublishDisposition
    {
        Acknowledge,
        Disconnect,
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "CONNECT refused for client {ClientId} from {Remote}: {Code} — {Reason}")]
    private static partial void LogConnectRefused(ILogger logger, string clientId, string remote, MqttConnectReasonCode code, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} connected from {Remote}")]
    private static partial void LogConnected(ILogger logger, string identity, string remote);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} disconnected: {Reason}")]
    private static partial void LogDisconnected(ILogger logger, string identity, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "subscription of {Identity} to {Filter} refused: not an IoT Hub topic for this identity")]
    private static partial void LogSubscribeRefused(ILogger logger, string identity, string filter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "publish from {Identity} rejected, connection closed: {Reason}")]
    private static partial void LogPublishRejected(ILogger logger, string identity, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reported patch from {Identity} rejected: {Reason}")]
    private static partial void LogReportedRejected(ILogger logger, string identity, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "method response from {Identity} for unknown or expired request {RequestId}")]
    private static partial void LogLateMethodResponse(ILogger logger, string identity, string requestId);
}
