using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using RetailEdge.IotHub.Credentials;
using RetailEdge.Mqtt;
using RetailEdge.Testing;

namespace RetailEdge.IotHub.Tests;

/// <summary>
/// A small IoT Hub on our MqttServer (127.0.0.1, free port) for one module identity: validates
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
    private MqttServer _server = null!;
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

    public int Port => _server.Port;

    public Channel<(string Topic, byte[] Payload)> Telemetry { get; } = Channel.CreateUnbounded<(string, byte[])>();

    public IReadOnlyCollection<string> AcceptedTokens => _acceptedTokens;

    public int Connections => Volatile.Read(ref _connections);

    public int Refused => Volatile.Read(ref _refused);

    public int TwinGets => Volatile.Read(ref _twinGets);

    /// <summary>Telemetry is acknowledged only after this delay (as edgeHub acknowledges after storing).</summary>
    public TimeSpan TelemetryAckDelay { get; set; }

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
        hub._server = new MqttServer(new MqttServerOptions
        {
            Port = 0,
            ServerCertificate = serverCertificate,
            AuthenticateAsync = hub.AuthenticateAsync,
            InterceptPublishAsync = hub.InterceptAsync,
        });
        await hub._server.StartAsync();
        return hub;
    }

    /// <summary>Options for a client of this hub using the module key (plain TCP on 127.0.0.1).</summary>
    public IotHubModuleClientOptions ClientOptions(string key = Key) => new()
    {
        HostName = HostName,
        GatewayHostName = "127.0.0.1",
        DeviceId = DeviceId,
        ModuleId = ModuleId,
        Signer = new SharedAccessKeySigner(key),
        Port = Port,
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
    public Task<bool> SendRawDesiredPatchAsync(long version, JsonObject patch) =>
        _server.PublishAsync(ClientId, new MqttApplicationMessage(IotHubTopics.DesiredPatch(version), Encoding.UTF8.GetBytes(patch.ToJsonString()), MqttQualityOfService.AtMostOnce));

    /// <summary>Sends an input message at QoS 1; completes with true once the module acknowledged it.</summary>
    public Task<bool> SendInputAsync(string inputName, IotHubMessage message, CancellationToken cancellationToken = default) =>
        SendRawInputAsync(IotHubTopics.Input(DeviceId, ModuleId, inputName, message.ToPropertyBag()), message.Body, cancellationToken);

    public Task<bool> SendRawInputAsync(string topic, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default) =>
        _server.PublishAsync(ClientId, new MqttApplicationMessage(topic, body, MqttQualityOfService.AtLeastOnce), cancellationToken);

    public async Task<(int Status, string Payload)> InvokeMethodAsync(string name, string payload, TimeSpan timeout)
    {
        var rid = Interlocked.Increment(ref _methodCounter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<(int, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _methodCalls[rid] = completion;
        await _server.PublishAsync(ClientId, new MqttApplicationMessage(IotHubTopics.MethodRequest(name, rid), Encoding.UTF8.GetBytes(payload), MqttQualityOfService.AtMostOnce));
        return await completion.Task.WaitAsync(timeout);
    }

    public Task<bool> DisconnectModuleAsync() => _server.DisconnectClientAsync(ClientId);

    public bool IsModuleConnected => _server.ConnectedClientIds.Contains(ClientId);

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private ValueTask<MqttConnectReturnCode> AuthenticateAsync(MqttServerConnectContext context, CancellationToken cancellationToken)
    {
        var resource = SharedAccessSignature.ModuleResourceUri(HostName, DeviceId, ModuleId);
        var result = SasTokenValidator.Validate(context.PasswordText, resource, DateTimeOffset.UtcNow, Key);
        if (context.ClientId != ClientId
            || context.UserName != IotHubTopics.UserName(HostName, DeviceId, ModuleId, IotHubModuleClientOptions.DefaultApiVersion)
            || !result.IsValid)
        {
            Interlocked.Increment(ref _refused);
            return ValueTask.FromResult(MqttConnectReturnCode.NotAuthorized);
        }
        _acceptedTokens.Enqueue(context.PasswordText!);
        Interlocked.Increment(ref _connections);
        return ValueTask.FromResult(MqttConnectReturnCode.Accepted);
    }

    private async ValueTask<MqttPublishDisposition> InterceptAsync(MqttServerPublishContext context, CancellationToken cancellationToken)
    {
        if (IotHubTopics.TryParseTelemetry(context.Topic, out _))
        {
            if (TelemetryAckDelay > TimeSpan.Zero)
            {
                await Task.Delay(TelemetryAckDelay, cancellationToken);
            }
            Telemetry.Writer.TryWrite((context.Topic, context.Payload.ToArray()));
        }
        else if (IotHubTopics.TryParseTwinRequest(context.Topic, out var twin))
        {
            if (!IgnoreTwinRequests)
            {
                var (status, version, body) = HandleTwin(twin.Kind, context.Payload.Span);
                var topic = IotHubTopics.TwinResponse(status, twin.RequestId, version);
                // answer off the connection's receive path
                _ = Task.Run(() => _server.PublishAsync(context.ClientId, new MqttApplicationMessage(topic, body, MqttQualityOfService.AtMostOnce)), CancellationToken.None);
            }
        }
        else if (IotHubTopics.TryParseMethodResponse(context.Topic, out var response))
        {
            if (_methodCalls.TryRemove(response.RequestId, out var call))
            {
                call.TrySetResult((response.Status, Encoding.UTF8.GetString(context.Payload.Span)));
            }
        }
        return MqttPublishDisposition.Acknowledge;
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
