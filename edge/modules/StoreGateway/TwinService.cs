using RetailEdge.StoreGateway.Core;

namespace StoreGateway;

/// <summary>Connects the transport to the module handler (twin, methods, inputs) and patches reported properties.</summary>
public sealed class TwinService(IHubTransport transport, GatewayModule module) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await transport.StartAsync(module, stoppingToken).ConfigureAwait(false);
        await module.RunReporterAsync(stoppingToken).ConfigureAwait(false);
    }
}
