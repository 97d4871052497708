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
using RetailEdge.IotHub.Credentials;
using RetailEdge.Mqtt;

namespace RetailEdge.HubEmulator.Devices;

/// <summary>
/// The device side of the hub over MQTT 3.1.1 (ARCHITECTURE.md §7, PROTOCOLS.md "Device/module
/// MQTT"), on the shared <see cref="MqttServer"/>: SAS-authenticated CONNECT with IoT Hub's client
/// id and user-name rules, telemetry into routing, twin GET and reported PATCH, desired patches,
/// direct methods. Anything else closes the connection, as IoT Hub does, with the reason logged
/// (never the token). QoS 2 and malformed packets are closed by the server itself.
/// </summary>
internal sealed partial class DeviceEndpoint : IAsyncDisposable
{
    private const int MaxMessageIdLength = 128;
    private readonly HubEmulatorOptions _options;
    private readonly HubRegistry _registry;
    private readonly TwinStore _twins;
    private readonly ConnectionRegistry _connections;
    private readonly RoutingBatcher _routing;
    private readonly DeviceEndpointMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly MqttServer _server;
    private readonly ConcurrentDictionary<string, MqttDeviceSession> _sessions = new(StringComparer.Ordinal);

    public DeviceEndpoint(HubEmulatorOptions options, HubRegistry registry, TwinStore twins, ConnectionRegistry connections, RoutingBatcher routing,
        DeviceEndpointMetrics metrics, X509Certificate2? certificate, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        _options = options;
        _registry = registry;
        _twins = twins;
        _connections = connections;
        _routing = routing;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _logger = loggerFactory.CreateLogger<DeviceEndpoint>();
        _server = new MqttServer(new MqttServerOptions
        {
            Address = options.MqttEndPoint.Address,
            Port = options.MqttEndPoint.Port,
            ServerCertificate = certificate,
            // the 256 KB rule counts body + properties; the topic adds at most a few KB on top,
            // so bigger packets are closed before they are buffered and the rest is checked exactly
            MaxPacketSize = options.MaxMessageBytes + 16 * 1024,
            TimeProvider = timeProvider,
            AuthenticateAsync = AuthenticateAsync,
            AuthorizeSubscribeAsync = AuthorizeSubscribeAsync,
            InterceptPublishAsync = OnPublishAsync,
        }, loggerFactory.CreateLogger<MqttServer>());
        _server.ClientConnected += OnClientConnected;
        _server.ClientDisconnected += OnClientDisconnected;
    }

    public IPEndPoint? BoundEndPoint { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _server.StartAsync(cancellationToken).ConfigureAwait(false);
        BoundEndPoint = new IPEndPoint(_options.MqttEndPoint.Address, _server.Port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _server.DisposeAsync().ConfigureAwait(false);
        foreach (var session in _sessions.Values)
        {
            session.OnDisconnected();
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private ValueTask<MqttConnectReturnCode> AuthenticateAsync(MqttServerConnectContext context, CancellationToken cancellationToken)
    {
        var identity = ConnectRules.ParseClientId(context.ClientId);
        if (identity is null)
        {
            return Refuse(context, MqttConnectReturnCode.IdentifierRejected, "the client id is not {deviceId} or {deviceId}/{moduleId}");
        }
        var key = _registry.KeyOf(identity.Value);
        if (key is null)
        {
            return Refuse(context, MqttConnectReturnCode.NotAuthorized, "the identity is not registered");
        }
        var userNameError = ConnectRules.CheckUserName(context.UserName, identity.Value, _registry.HostName);
        if (userNameError is not null)
        {
            return Refuse(context, MqttConnectReturnCode.BadUserNameOrPassword, userNameError);
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
        var result = SasTokenValidator.Validate(context.PasswordText, resource, keys, _timeProvider.GetUtcNow());
        if (!result.IsValid)
        {
            return Refuse(context, MqttConnectReturnCode.NotAuthorized, $"{result.Error}: {result.Message}");
        }
        return ValueTask.FromResult(MqttConnectReturnCode.Accepted);
    }

    private ValueTask<MqttConnectReturnCode> Refuse(MqttServerConnectContext context, MqttConnectReturnCode code, string reason)
    {
        _metrics.ConnectionRefused();
        // the reason and the client id only; the password (a SAS token) never reaches a log
        LogConnectRefused(_logger, context.ClientId, context.RemoteEndPoint, code, reason);
        return ValueTask.FromResult(code);
    }

    private void OnClientConnected(object? sender, MqttServerClientEventArgs e)
    {
        var identity = ConnectRules.ParseClientId(e.ClientId);
        if (identity is null)
        {
            return;
        }
        var session = new MqttDeviceSession(identity.Value, e.ClientId, e.RemoteEndPoint, _server, _timeProvider);
        _sessions[e.ClientId] = session;
        var previous = _connections.Register(session);
        if (previous is MqttDeviceSession old)
        {
            // the MQTT server already closed the older connection of this client id
            old.OnDisconnected();
        }
        _metrics.ConnectionAccepted();
        LogConnected(_logger, identity.Value.ToString(), e.RemoteEndPoint);
    }

    private void OnClientDisconnected(object? sender, MqttServerClientEventArgs e)
    {
        // only the connection that ends: a newer one of the same identity may already be registered
        if (_sessions.TryGetValue(e.ClientId, out var session) && session.RemoteEndPoint == e.RemoteEndPoint)
        {
            _sessions.TryRemove(new KeyValuePair<string, MqttDeviceSession>(e.ClientId, session));
            _connections.Unregister(session);
            session.OnDisconnected();
            LogDisconnected(_logger, session.Identity.ToString(), e.Reason?.Message ?? "DISCONNECT");
        }
    }

    private ValueTask<MqttSubAckReturnCode> AuthorizeSubscribeAsync(MqttServerSubscribeContext context, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue(context.ClientId, out var session))
        {
            return ValueTask.FromResult(MqttSubAckReturnCode.Failure);
        }
        var filter = context.TopicFilter;
        var identity = session.Identity;
        var allowed = filter is IotHubTopics.TwinResponseFilter or IotHubTopics.DesiredPatchFilter or IotHubTopics.MethodRequestFilter
            || (identity.ModuleId is not null && filter == IotHubTopics.ModuleInputFilter(identity.DeviceId, identity.ModuleId))
            || (identity.ModuleId is null && filter == $"devices/{identity.DeviceId}/messages/devicebound/#");
        if (!allowed)
        {
            LogSubscribeRefused(_logger, identity.ToString(), filter);
            return ValueTask.FromResult(MqttSubAckReturnCode.Failure);
        }
        session.OnSubscribed(filter);
        if (filter == IotHubTopics.MethodRequestFilter)
        {
            _connections.NotifyReady(identity);
        }
        var granted = context.RequestedQualityOfService == MqttQualityOfService.AtMostOnce ? MqttSubAckReturnCode.GrantedQualityOfService0 : MqttSubAckReturnCode.GrantedQualityOfService1;
        return ValueTask.FromResult(granted);
    }

    private async ValueTask<MqttPublishDisposition> OnPublishAsync(MqttServerPublishContext context, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue(context.ClientId, out var session))
        {
            return MqttPublishDisposition.Disconnect;
        }
        var topic = context.Topic;
        if (IotHubTopics.TryParseTelemetry(topic, out var telemetry))
        {
            return await OnTelemetryAsync(session, telemetry, context, cancellationToken).ConfigureAwait(false);
        }
        if (IotHubTopics.TryParseTwinRequest(topic, out var twinRequest))
        {
            _metrics.TwinRequest();
            await OnTwinRequestAsync(session, twinRequest, context.Payload, cancellationToken).ConfigureAwait(false);
            return MqttPublishDisposition.Acknowledge;
        }
        if (IotHubTopics.TryParseMethodResponse(topic, out var methodResponse))
        {
            if (!session.CompleteMethod(methodResponse.RequestId, methodResponse.Status, context.Payload))
            {
                LogLateMethodResponse(_logger, session.Identity.ToString(), methodResponse.RequestId);
            }
            return MqttPublishDisposition.Acknowledge;
        }
        return Reject(session, "publish to a topic IoT Hub does not accept from a device: " + Truncate(topic));
    }

    private async ValueTask<MqttPublishDisposition> OnTelemetryAsync(MqttDeviceSession session, TelemetryTopic telemetry, MqttServerPublishContext context, CancellationToken cancellationToken)
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
        var size = context.Payload.Length + bag.Sum(p => Encoding.UTF8.GetByteCount(p.Key) + Encoding.UTF8.GetByteCount(p.Value));
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
            properties, messageId, correlationId, contentType, contentEncoding, context.Payload.ToArray());
        var written = _routing.Append(message);
        _metrics.TelemetryAcceptedOne();
        if (_options.AcknowledgeAfterWrite)
        {
            // durable acknowledgement: PUBACK only once the routed file holding the record exists
            await written.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        return MqttPublishDisposition.Acknowledge;
    }

    private async Task OnTwinRequestAsync(MqttDeviceSession session, TwinRequestTopic request, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
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
                patch = JsonNode.Parse(payload.Span, documentOptions: new JsonDocumentOptions { MaxDepth = 32 }) as JsonObject;
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
        await _server.PublishAsync(session.ClientId,
            new MqttApplicationMessage(IotHubTopics.TwinResponse(status, request.RequestId, version), body, MqttQualityOfService.AtMostOnce, false),
            cancellationToken).ConfigureAwait(false);
    }

    private MqttPublishDisposition Reject(MqttDeviceSession session, string reason)
    {
        _metrics.PublishRejected();
        LogPublishRejected(_logger, session.Identity.ToString(), reason);
        return MqttPublishDisposition.Disconnect;
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "CONNECT refused for client {ClientId} from {Remote}: {Code} — {Reason}")]
    private static partial void LogConnectRefused(ILogger logger, string clientId, string remote, MqttConnectReturnCode code, string reason);

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
