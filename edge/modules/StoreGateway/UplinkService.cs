using RetailEdge.StoreGateway.Core;

namespace StoreGateway;

/// <summary>Sends the outbox upstream through the transport.</summary>
public sealed class UplinkService(GatewayEngine engine, IHubTransport transport, ILogger<OutboxUplink> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => new OutboxUplink(engine, transport, logger).RunAsync(stoppingToken);
}
