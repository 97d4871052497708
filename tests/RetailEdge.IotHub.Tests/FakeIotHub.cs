using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using System.Net;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using RetailEdge.IotHub.Credentials;
using RetailEdge.Testing;

namespace RetailEdge.IotHub.Tests;

/// <summary>
/// A small IoT Hub on MQTTnet.Server (127.0.0.1, free port, persistent sessions) for one module identity: validates
/// CONNECT with <see cref="SasTokenValidator"/>, records telemetry, answers twin GET/PATCH,
/// sends desired patches, input messages and direct-method calls.
/// </summary>
public sealed class FakeIotHub : IAsyncDisposable
{
    public const string HostName = "testhub.azure-devices.net";
    public const string DeviceId = "store017-gw";
    public const string ModuleId = "StoreGateway";
    public const string Key = IotHubSasVectors.Key;

    private readonly object _gate = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<(int Status, string Payload)>> _methodCalls = new();
    private readonly ConcurrentQueue<string> _acceptedTokens = new();
    private readonly ConcurrentDictionary<ushort, TaskCompletionSource<bool>> _acknowledged = new();
    // by reference: MQTTnet.Server gives a resent packet a new packet identifier
    private readonly ConcurrentDictionary<MQTTnet.Packets.MqttPublishPacket, byte> _sentOnce = new(ReferenceEqualityComparer.Instance);
    private MqttServer _server = null!;
    private MqttServerOptions _serverOptions = null!;
    private JsonObject _desired = new() { ["$version"] = 1 };
    private JsonObject _reported = new() { ["$version"] = 1 };
    private int _connections;
    private int _refused;
    private int _twinGets;
    private int _nextPatchStatus;
    private long _methodCounter;

    private FakeIotHub()
    {
    }

    public static string ClientId => IotHubTopics.ClientId(DeviceId, ModuleId);

    public int Port => _serverOptions.DefaultEndpointOptions.IsEnabled ? _serverOptions.DefaultEndpointOptions.Port : _serverOptions.TlsEndpointOptions.Port;

    public Channel<(string Topic, byte[] Payload)> Telemetry { get; } = Channel.CreateUnbounded<(string, byte[])>();

    public IReadOnlyCollection<string> AcceptedTokens => _acceptedTokens;

    public int Connections => Volatile.Read(ref _connections);

    public int Refused => Volatile.Read(ref _refused);

    public int TwinGets => Volatile.Read(ref _twinGets);

    /// <summary>Telemetry is acknowledged only after this delay (as edgeHub acknowledges after storing).</summary>
    public TimeSpan TelemetryAckDelay { get; set; }

    /// <summary>When true, every CONNECT is refused as "server unavailable" (a hub outage).</summary>
    public bool Unavailable { get; set; }

    /// <summary>When true, twin requests get no answer (timeouts).</summary>
    public bool IgnoreTwinRequests { get; set; }

    public long DesiredVersion
    {
        get
        {
            lock (_gate)
            {
                return ModuleTwin.ReadVersion(_desired);
            }
        }
    }

    public JsonObject ReportedSnapshot()
    {
        lock (_gate)
        {
            return (JsonObject)_reported.DeepClone();
        }
    }

    public static async Task<FakeIotHub> StartAsync(System.Security.Cryptography.X509Certificates.X509Certificate2? serverCertificate = null)
    {
        var hub = new FakeIotHub();
        var builder = new MqttServerOptionsBuilder().WithPersistentSessions(true);
        builder = serverCertificate is null
            ? builder.WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(0)
            : builder.WithoutDefaultEndpoint().WithEncryptedEndpoint().WithEncryptedEndpointBoundIPAddress(IPAddress.Loopback).WithEncryptedEndpointPort(0)
                .WithEncryptionCertificate(serverCertificate);
        hub._serverOptions = builder.Build();
        hub._server = new MqttServerFactory().CreateMqttServer(hub._serverOptions);
        hub._server.ValidatingConnectionAsync += hub.AuthenticateAsync;
        hub._server.InterceptingPublishAsync += hub.InterceptAsync;
        hub._server.InterceptingOutboundPacketAsync += e =>
        {
            // IoT Hub marks a redelivered input with DUP (MQTT 3.1.1 §3.3.1.1); MQTTnet.Server resends
            // a resumed session's unacknowledged messages without it (and under a new packet
            // identifier), so this hub sets it itself
            if (e.Packet is MQTTnet.Packets.MqttPublishPacket { QualityOfServiceLevel: MqttQualityOfServiceLevel.AtLeastOnce } publish
                && !hub._sentOnce.TryAdd(publish, 0))
            {
                publish.Dup = true;
            }
            return Task.CompletedTask;
        };
        hub._server.ClientAcknowledgedPublishPacketAsync += e =>
        {
            hub._sentOnce.TryRemove(e.PublishPacket, out _);
            if (e.ClientId == ClientId)
            {
                hub._acknowledged.GetOrAdd(e.PublishPacket.PacketIdentifier, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(true);
            }
            return Task.CompletedTask;
        };
        await hub._server.StartAsync();
        return hub;
    }

    /// <summary>Options for a client of this hub using the module key (plain TCP on 127.0.0.1).</summary>
    public IotHubModuleClientOptions ClientOptions(string key = Key) => LoopbackOptions(Port, key);

    /// <summary>
    /// Options for this test module against any MQTT server on 127.0.0.1:<paramref name="port"/>
    /// (this hub, mosquitto, aedes): plain TCP, short reconnect delays and operation timeout.
    /// </summary>
    public static IotHubModuleClientOptions LoopbackOptions(int port, string key = Key) => new()
    {
        HostName = HostName,
        GatewayHostName = "127.0.0.1",
        DeviceId = DeviceId,
        ModuleId = ModuleId,
        Signer = new SharedAccessKeySigner(key),
        Port = port,
        UseTls = false,
        ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
        OperationTimeout = TimeSpan.FromSeconds(10),
    };

    public void FailNextReportedPatch(int status) => Volatile.Write(ref _nextPatchStatus, status);

    /// <summary>Merges a patch into desired, bumps the version and sends it to the module.</summary>
    public async Task<long> SendDesiredPatchAsync(JsonObject patch)
    {
        long version;
        JsonObject sent;
        lock (_gate)
        {
            version = ModuleTwin.ReadVersion(_desired) + 1;
            foreach (var (key, value) in patch)
            {
                _desired[key] = value?.DeepClone();
            }
            _desired["$version"] = version;
            sent = (JsonObject)patch.DeepClone();
            sent["$version"] = version;
        }
        await SendRawDesiredPatchAsync(version, sent);
        return version;
    }

    /// <summary>Sends a desired patch with any version, without changing the stored twin.</summary>
    public async Task<bool> SendRawDesiredPatchAsync(long version, JsonObject patch) =>
        await SendToModuleAsync(IotHubTopics.DesiredPatch(version), Encoding.UTF8.GetBytes(patch.ToJsonString()), MqttQualityOfServiceLevel.AtMostOnce) is not null;

    /// <summary>Sends an input message at QoS 1; completes with true once the module acknowledged it.</summary>
    public Task<bool> SendInputAsync(string inputName, IotHubMessage message, CancellationToken cancellationToken = default) =>
        SendRawInputAsync(IotHubTopics.Input(DeviceId, ModuleId, inputName, message.ToPropertyBag()), message.Body, cancellationToken);

    public async Task<bool> SendRawInputAsync(string topic, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        if (await SendToModuleAsync(topic, body, MqttQualityOfServiceLevel.AtLeastOnce) is not { } packetId)
        {
            return false;
        }
        var acknowledged = _acknowledged.GetOrAdd(packetId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            return await acknowledged.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _acknowledged.TryRemove(packetId, out _);
        }
    }

    /// <summary>Queues a message on the module's session (whatever it subscribed to); the packet id, or null when it has no session.</summary>
    private async Task<ushort?> SendToModuleAsync(string topic, ReadOnlyMemory<byte> body, MqttQualityOfServiceLevel qos)
    {
        MqttSessionStatus session;
        try
        {
            session = await _server.GetSessionAsync(ClientId);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayloadSegment(body).WithQualityOfServiceLevel(qos).Build();
        return session is not null && session.TryEnqueueApplicationMessage(message, out var result) ? result.PacketIdentifier : null;
    }

    public async Task<(int Status, string Payload)> InvokeMethodAsync(string name, string payload, TimeSpan timeout)
    {
        var rid = Interlocked.Increment(ref _methodCounter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<(int, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _methodCalls[rid] = completion;
        await SendToModuleAsync(IotHubTopics.MethodRequest(name, rid), Encoding.UTF8.GetBytes(payload), MqttQualityOfServiceLevel.AtMostOnce);
        return await completion.Task.WaitAsync(timeout);
    }

    /// <summary>Drops the module's connection (no DISCONNECT: a lost network as the client sees it).</summary>
    public async Task<bool> DisconnectModuleAsync()
    {
        if (!await IsModuleConnectedAsync())
        {
            return false;
        }
        await _server.DisconnectClientAsync(ClientId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.NormalDisconnection });
        return true;
    }

    public async Task<bool> IsModuleConnectedAsync() => (await _server.GetClientsAsync()).Any(c => c.Id == ClientId);

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync(new MqttServerStopOptions());
        _server.Dispose();
    }

    private Task AuthenticateAsync(ValidatingConnectionEventArgs context)
    {
        if (Unavailable)
        {
            context.ReasonCode = MqttConnectReasonCode.ServerUnavailable;
            return Task.CompletedTask;
        }
        var resource = SharedAccessSignature.ModuleResourceUri(HostName, DeviceId, ModuleId);
        var result = SasTokenValidator.Validate(context.Password, resource, DateTimeOffset.UtcNow, Key);
        if (context.ClientId != ClientId
            || context.UserName != IotHubTopics.UserName(HostName, DeviceId, ModuleId, IotHubModuleClientOptions.DefaultApiVersion)
            || !result.IsValid)
        {
            Interlocked.Increment(ref _refused);
            context.ReasonCode = MqttConnectReasonCode.NotAuthorized;
            return Task.CompletedTask;
        }
        _acceptedTokens.Enqueue(context.Password);
        Interlocked.Increment(ref _connections);
        return Task.CompletedTask;
    }

    private async Task InterceptAsync(InterceptingPublishEventArgs context)
    {
        // nothing is forwarded to other subscribers: this hub answers every request itself
        context.ProcessPublish = false;
        var topic = context.ApplicationMessage.Topic;
        var payload = System.Buffers.BuffersExtensions.ToArray(context.ApplicationMessage.Payload);
        if (IotHubTopics.TryParseTelemetry(topic, out _))
        {
            if (TelemetryAckDelay > TimeSpan.Zero)
            {
                await Task.Delay(TelemetryAckDelay, context.CancellationToken);
            }
            Telemetry.Writer.TryWrite((topic, payload));
        }
        else if (IotHubTopics.TryParseTwinRequest(topic, out var twin))
        {
            if (!IgnoreTwinRequests)
            {
                var (status, version, body) = HandleTwin(twin.Kind, payload);
                var responseTopic = IotHubTopics.TwinResponse(status, twin.RequestId, version);
                await SendToModuleAsync(responseTopic, body, MqttQualityOfServiceLevel.AtMostOnce);
            }
        }
        else if (IotHubTopics.TryParseMethodResponse(topic, out var response))
        {
            if (_methodCalls.TryRemove(response.RequestId, out var call))
            {
                call.TrySetResult((response.Status, Encoding.UTF8.GetString(payload)));
            }
        }
    }

    private (int Status, long? Version, byte[] Body) HandleTwin(TwinRequestKind kind, ReadOnlySpan<byte> payload)
    {
        lock (_gate)
        {
            if (kind == TwinRequestKind.Get)
            {
                Interlocked.Increment(ref _twinGets);
                var twin = new JsonObject { ["desired"] = _desired.DeepClone(), ["reported"] = _reported.DeepClone() };
                return (200, null, Encoding.UTF8.GetBytes(twin.ToJsonString()));
            }
            var failure = Interlocked.Exchange(ref _nextPatchStatus, 0);
            if (failure != 0)
            {
                return (failure, null, []);
            }
            JsonObject? patch;
            try
            {
                patch = JsonNode.Parse(payload) as JsonObject;
            }
            catch (System.Text.Json.JsonException)
            {
                patch = null;
            }
            if (patch is null)
            {
                return (400, null, []);
            }
            foreach (var (key, value) in patch)
            {
                if (value is null)
                {
                    _reported.Remove(key);
                }
                else
                {
                    _reported[key] = value.DeepClone();
                }
            }
            var version = ModuleTwin.ReadVersion(_reported) + 1;
            _reported["$version"] = version;
            return (204, version, []);
        }
    }
}
