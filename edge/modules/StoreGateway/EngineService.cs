using RetailEdge.StoreGateway.Core;

namespace StoreGateway;

/// <summary>Runs the engine loop: group commits, sealing, maintenance.</summary>
public sealed class EngineService(GatewayEngine engine) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() => engine.RunAsync(stoppingToken), stoppingToken);
}
