using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.HubEmulator.Devices;
using RetailEdge.HubEmulator.EventHubs;
using RetailEdge.HubEmulator.Registry;
using RetailEdge.HubEmulator.Routing;
using RetailEdge.HubEmulator.Service;
using RetailEdge.HubEmulator.Twins;

namespace RetailEdge.HubEmulator;

/// <summary>
/// A local IoT Hub: the device MQTT endpoint, twins, direct methods, the service REST API and
/// routing to storage, hosted in-process. <see cref="StartAsync"/> binds both endpoints
/// (port 0 picks free ports: read <see cref="MqttEndPoint"/> and <see cref="RestEndPoint"/>);
/// <see cref="StopAsync"/> closes connections and writes every buffered routed record.
/// </summary>
public sealed partial class HubEmulator : IAsyncDisposable
{
    private readonly HubEmulatorOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private ServiceRestServer? _rest;
    private DeviceEndpoint? _mqtt;
    private RoutingBatcher? _routing;
    private IRoutingSink? _sink;
    private EventHubLog? _events;
    private EventHubsEndpoint? _eventHubs;
    private bool _stopped;

    public HubEmulator(HubEmulatorOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<HubEmulator>();
        Connections = new ConnectionRegistry();
    }

    /// <summary>The identity registry (available after start).</summary>
    public HubRegistry Registry { get; private set; } = null!;

    /// <summary>The twins (available after start).</summary>
    public TwinStore Twins { get; private set; } = null!;

    public ConnectionRegistry Connections { get; }

    /// <summary>The routing batcher: counters, and <see cref="RoutingBatcher.FlushAsync"/> for tests.</summary>
    public RoutingBatcher Routing => _routing ?? throw new InvalidOperationException("the emulator is not started");

    /// <summary>The bound device MQTT endpoint.</summary>
    public IPEndPoint MqttEndPoint => _mqtt?.BoundEndPoint ?? throw new InvalidOperationException("the emulator is not started");

    /// <summary>The bound service REST endpoint.</summary>
    public IPEndPoint RestEndPoint => _rest?.BoundEndPoint ?? throw new InvalidOperationException("the emulator is not started");

    /// <summary>The bound built-in (Event Hubs-compatible) AMQP endpoint.</summary>
    public IPEndPoint EventHubsEndPoint => _eventHubs?.BoundEndPoint ?? throw new InvalidOperationException("the emulator is not started");

    /// <summary>The built-in endpoint's event hub: partitions, counters (available after start).</summary>
    public EventHubLog Events => _events ?? throw new InvalidOperationException("the emulator is not started");

    /// <summary>The built-in endpoint's AMQP host (links refused, for diagnostics).</summary>
    public EventHubsEndpoint EventHubs => _eventHubs ?? throw new InvalidOperationException("the emulator is not started");

    /// <summary>
    /// The Event Hubs-compatible connection string of the built-in endpoint, as the portal shows
    /// it for a real hub (<c>Endpoint=sb://…/;SharedAccessKeyName=…;SharedAccessKey=…;EntityPath={hub}</c>),
    /// plus <c>UseDevelopmentEmulator=true</c> when the endpoint speaks plain AMQP. Contains the policy key: never log it.
    /// </summary>
    public string EventHubsConnectionString() =>
        EventHubsConnectionStrings.Build(EventHubsEndPoint, Registry.ServicePolicy, _options.HubName, useTls: Certificate is not null);

    /// <summary>The REST base address, e.g. http://127.0.0.1:5000/.</summary>
    public Uri RestBaseAddress => new($"{(_options.UseTls ? "https" : "http")}://{RestEndPoint}/");

    /// <summary>The hub host name (SAS audience, CONNECT user-name host).</summary>
    public string HostName => Registry.HostName;

    /// <summary>The PEM file of <see cref="Certificate"/> beside the registry, for clients to trust (when <see cref="HubEmulatorOptions.UseTls"/> is set).</summary>
    public string? CertificatePemPath => Certificate is null ? null : SelfSignedCertificate.PemPath(_options.RegistryPath, _options.HubName);

    /// <summary>The TLS certificate when <see cref="HubEmulatorOptions.UseTls"/> is set: kept beside the registry and reused on the next start.</summary>
    public X509Certificate2? Certificate { get; private set; }

    /// <summary>
    /// Options for an <see cref="IotHub.IotHubModuleClient"/> of a registered module that connects
    /// to this emulator on loopback, as a module connects through an edgeHub gateway: the hub's
    /// host name stays the SAS audience, TLS and its trusted root follow the emulator's setting.
    /// </summary>
    public IotHub.IotHubModuleClientOptions ModuleClientOptions(string deviceId, string moduleId) =>
        IotHub.IotHubModuleClientOptions.FromConnectionString(Registry.ModuleConnectionString(deviceId, moduleId)) with
        {
            GatewayHostName = "127.0.0.1",
            Port = MqttEndPoint.Port,
            UseTls = _options.UseTls,
            TrustedRootCertificates = Certificate is null ? null : new X509Certificate2Collection(Certificate),
        };

    /// <summary>Device endpoint counters.</summary>
    public DeviceEndpointMetrics Metrics { get; } = new();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Registry = await HubRegistry.OpenOrCreateAsync(_options.RegistryPath, _options.HubName, _timeProvider, cancellationToken).ConfigureAwait(false);
        Twins = new TwinStore(Registry, _timeProvider);
        Twins.DesiredPatched += patch => Connections.Find(patch.Identity)?.EnqueueDesiredPatch(patch);
        if (_options.UseTls)
        {
            Certificate = SelfSignedCertificate.LoadOrCreate(_options.RegistryPath, _options.HubName, Registry.HostName, _timeProvider);
        }
        var sink = RoutingSinkFactory.Create(_options.RoutingTarget, _options.RoutingAccountKey);
        _sink = sink;
        _routing = new RoutingBatcher(
            new RoutingOptions { HubName = _options.HubName, PartitionCount = _options.PartitionCount, BatchInterval = _options.BatchInterval },
            sink, _timeProvider, _loggerFactory.CreateLogger<RoutingBatcher>());
        _routing.Start();
        _events = EventHubLog.Open(_options.HubName, _options.ResolvedEventsPath, _options.PartitionCount,
            new EventRetentionOptions(_options.EventRetention, _options.EventRetentionBytesPerPartition), _timeProvider, _loggerFactory.CreateLogger<EventHubLog>());
        _events.Start();
        var hostNames = new[] { _options.EventHubsEndPoint.Address.ToString(), "localhost", Registry.HostName };
        _eventHubs = new EventHubsEndpoint(_events, new EventHubsAuthorizer(Registry, _options.HubName, hostNames, _timeProvider), Registry.HasConsumerGroup,
            Certificate, _timeProvider, _loggerFactory);
        _eventHubs.Start(_options.EventHubsEndPoint);
        _rest = new ServiceRestServer(Registry, Twins, Connections, _timeProvider, _loggerFactory);
        await _rest.StartAsync(_options.RestEndPoint, Certificate, cancellationToken).ConfigureAwait(false);
        _mqtt = new DeviceEndpoint(_options, Registry, Twins, Connections, _routing, _events, Metrics, Certificate, _timeProvider, _loggerFactory);
        await _mqtt.StartAsync(cancellationToken).ConfigureAwait(false);
        LogStarted(_logger, _options.HubName, MqttEndPoint.ToString(), RestEndPoint.ToString(), EventHubsEndPoint.ToString(), sink.Description, _options.BatchInterval);
    }

    /// <summary>Stops accepting, closes device connections, stops REST, and writes buffered routed records.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        if (_mqtt is not null)
        {
            await _mqtt.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        if (_rest is not null)
        {
            await _rest.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        if (_routing is not null)
        {
            await _routing.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        if (_eventHubs is not null)
        {
            await _eventHubs.DisposeAsync().ConfigureAwait(false);
        }
        if (_events is not null)
        {
            await _events.DisposeAsync().ConfigureAwait(false);
        }
        LogStopped(_logger, _routing?.RecordsWritten ?? 0, _routing?.FilesWritten ?? 0);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (_rest is not null)
        {
            await _rest.DisposeAsync().ConfigureAwait(false);
        }
        if (_routing is not null)
        {
            await _routing.DisposeAsync().ConfigureAwait(false);
        }
        (_sink as IDisposable)?.Dispose();
        Certificate?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "hub emulator {HubName} started: MQTT {Mqtt}, REST {Rest}, Event Hubs-compatible AMQP {EventHubs}, routing to {Routing} every {Interval}")]
    private static partial void LogStarted(ILogger logger, string hubName, string mqtt, string rest, string eventHubs, string routing, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Information, Message = "hub emulator stopped: {Records} routed records in {Files} files")]
    private static partial void LogStopped(ILogger logger, long records, long files);
}
