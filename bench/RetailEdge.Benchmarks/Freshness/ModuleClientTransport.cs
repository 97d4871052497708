using System.Text.Json.Nodes;
using RetailEdge.IotHub;
using RetailEdge.StoreGateway.Core;

namespace RetailEdge.Benchmarks.Freshness;

/// <summary>The gateway's upstream over our IoT Hub module client to the emulator (telemetry and reported properties; no inbound handlers).</summary>
internal sealed class ModuleClientTransport(IotHubModuleClientOptions options) : IHubTransport
{
    private readonly IotHubModuleClient _client = new(options);

    public bool IsConnected => _client.Status == IotHubConnectionStatus.Connected;

    /// <summary>Connects; nothing comes down in this benchmark, so the handler is not called.</summary>
    public Task StartAsync(IHubTransportHandler handler, CancellationToken cancellationToken) => _client.OpenAsync(cancellationToken);

    public Task SendAsync(HubMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _client.SendEventAsync(new IotHubMessage(message.Body)
        {
            MessageId = message.MessageId,
            ContentType = message.ContentType,
            ContentEncoding = message.ContentEncoding,
            Properties = message.Properties,
        }, cancellationToken);
    }

    public Task ReportAsync(ReadOnlyMemory<byte> patch, CancellationToken cancellationToken) =>
        _client.UpdateReportedPropertiesAsync((JsonObject)JsonNode.Parse(patch.Span)!, cancellationToken);

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
