using System.Text.Json;
using System.Text.Json.Nodes;
using RetailEdge.IotHub;
using MQTTnet.Exceptions;
using RetailEdge.StoreGateway.Core;

namespace StoreGateway;

/// <summary>
/// <see cref="IHubTransport"/> over our IoT Hub module client (ARCHITECTURE.md §7): telemetry with
/// QoS 1 (a batch counts as sent on PUBACK, which edgeHub gives after storing it), reported patches,
/// desired properties (full document after every connect, then newer patches), direct methods and
/// the <c>events</c> input. Credentials come from a module connection string or from the IoT Edge
/// environment (workload API signing and trust bundle); they are never logged.
/// </summary>
public sealed class IotHubTransport : IHubTransport
{
    /// <summary>How long a send may wait for the hub before the uplink backs off and retries.</summary>
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(60);

    private readonly string? _connectionString;
    private readonly StoreGatewayOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private IotHubModuleClient? _client;

    private IotHubTransport(string? connectionString, StoreGatewayOptions options, ILoggerFactory loggerFactory)
    {
        _connectionString = connectionString;
        _options = options;
        _loggerFactory = loggerFactory;
    }

    public bool IsConnected => _client?.Status == IotHubConnectionStatus.Connected;

    public static IotHubTransport Create(StoreGatewayOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        return new IotHubTransport(string.IsNullOrWhiteSpace(options.ConnectionString) ? null : options.ConnectionString, options, loggerFactory);
    }

    public async Task StartAsync(IHubTransportHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var clientOptions = _connectionString is not null
            ? IotHubModuleClientOptions.FromConnectionString(_connectionString)
            : await IotHubModuleClientOptions.FromEnvironmentAsync(IotEdgeEnvironment.FromProcess(), _loggerFactory, cancellationToken).ConfigureAwait(false);
        clientOptions = clientOptions with { Port = _options.HubPort, UseTls = _options.HubUseTls };
        var client = new IotHubModuleClient(clientOptions, _loggerFactory);
        await client.SetDesiredPropertyUpdateHandlerAsync(async (update, ct) =>
        {
            using var document = JsonDocument.Parse(update.Properties.ToJsonString());
            await handler.OnDesiredPropertiesAsync(document.RootElement, update.IsFullTwin, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        await client.SetDefaultMethodHandlerAsync(async (request, ct) =>
        {
            var result = await handler.OnMethodAsync(request.Name, request.Payload, ct).ConfigureAwait(false);
            return new MethodResponse(result.Status, result.Payload);
        }, cancellationToken).ConfigureAwait(false);
        await client.SetInputMessageHandlerAsync(GatewayModule.EventsInput, async (input, ct) =>
        {
            try
            {
                await handler.OnInputAsync(input.InputName, input.Message.Body, ct).ConfigureAwait(false);
                return MessageResponse.Completed;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Not journaled: leave it unacknowledged so edgeHub delivers it again.
                return MessageResponse.Abandoned;
            }
        }, cancellationToken).ConfigureAwait(false);
        _client = client;
        await client.OpenAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task SendAsync(HubMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var client = _client ?? throw new HubTransportException("the IoT Hub client is not started");
        var hubMessage = new IotHubMessage(message.Body)
        {
            MessageId = message.MessageId,
            ContentType = message.ContentType,
            ContentEncoding = message.ContentEncoding,
            Properties = message.Properties,
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(SendTimeout);
        try
        {
            await client.SendEventAsync(hubMessage, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HubTransportException("no acknowledgement from the hub in time", e);
        }
        catch (Exception e) when (e is IotHubException or IOException or MqttCommunicationException or MessageTooLargeException or InvalidOperationException)
        {
            throw new HubTransportException(e.Message, e);
        }
    }

    public async Task ReportAsync(ReadOnlyMemory<byte> patch, CancellationToken cancellationToken)
    {
        var client = _client ?? throw new HubTransportException("the IoT Hub client is not started");
        if (JsonNode.Parse(patch.Span) is not JsonObject patchObject)
        {
            throw new ArgumentException("a reported patch must be a JSON object", nameof(patch));
        }
        try
        {
            await client.UpdateReportedPropertiesAsync(patchObject, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IotHubException or IOException or MqttCommunicationException or InvalidOperationException or TimeoutException)
        {
            throw new HubTransportException(e.Message, e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }
    }
}
