using System.CommandLine;
using RetailEdge.IotHubService;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;

namespace RetailEdge.Cli;

/// <summary>
/// <c>retailedge fleet status</c>: the StoreGateway modules' health (ARCHITECTURE.md §8) in the
/// terminal — live from the module twins when an IoT Hub is given, otherwise as the processor's
/// monitor last wrote it to gold.store_health. Unhealthy stores (stale, or reporting a
/// configuration or reference-data error) come first. Live, each row also shows the deployment the
/// device runs (its <c>deployment</c> tag, written by <c>retailedge deploy</c>) and the StoreGateway image
/// in its edgeAgent twin. <c>fleet status &lt;device&gt;</c> instead asks that one module for its state now
/// (the status method): the twin shows what the module last reported, the method what it has this second.
/// </summary>
public static class FleetCommand
{
    /// <summary>Exit code of <c>--check</c> when at least one store is stale or reports an error.</summary>
    public const int UnhealthyExitCode = 1;

    /// <summary>Exit code when the lake has no gold.store_health table to show.</summary>
    public const int NoDataExitCode = 3;

    public static Command Create()
    {
        var lake = new Option<string?>("--lake") { Description = "The lake root (folder or blob container URL): read gold.store_health, or map devices to stores in live mode" };
        var iotHub = IotHubArguments.Create("read the module twins live");
        var staleAfter = new Option<string>("--stale-after") { Description = "Live mode: a store is stale when its last send is older than this (default 15m)", DefaultValueFactory = _ => "15m" };
        staleAfter.Validators.Add(r =>
        {
            if (!SimulateArguments.TryParseDuration(r.GetValueOrDefault<string>() ?? string.Empty, out _, out var error, "--stale-after"))
            {
                r.AddError(error);
            }
        });
        var json = new Option<bool>("--json") { Description = "One JSON object per module instead of a table (for scripts)" };
        var check = new Option<bool>("--check") { Description = $"Exit with {UnhealthyExitCode} when any store is stale or reports an error (for alerting)" };
        var (device, module, timeout) = FleetMethodCommands.TargetOptions();
        device.Arity = ArgumentArity.ZeroOrOne;
        device.Description = "Ask this one gateway's module for its state now (its status method) instead of showing the fleet";
        var status = new Command("status", "Show each store gateway's health (stale stores, backlog, rejected and dropped events, errors, deployment and image), or one gateway's own answer");
        status.Arguments.Add(device);
        status.Options.Add(module);
        status.Options.Add(timeout);
        status.Options.Add(lake);
        iotHub.AddTo(status);
        status.Options.Add(staleAfter);
        status.Options.Add(json);
        status.Options.Add(check);
        status.SetAction(async (parseResult, cancellationToken) =>
        {
            if (parseResult.GetValue(device) is { } deviceId)
            {
                using var client = await iotHub.TryOpenRequiredAsync(parseResult).ConfigureAwait(false);
                return client is null
                    ? CliApp.UsageError
                    : await FleetMethodCommands.StatusAsync(client, deviceId, parseResult.GetValue(module)!, TimeSpan.FromSeconds(parseResult.GetValue(timeout)), Console.Out, cancellationToken).ConfigureAwait(false);
            }
            SimulateArguments.TryParseDuration(parseResult.GetValue(staleAfter)!, out var staleValue, out _, "--stale-after");
            if (await iotHub.TryResolveAsync(parseResult).ConfigureAwait(false) is not { } hub)
            {
                return CliApp.UsageError;
            }
            var request = new FleetStatusRequest(
                parseResult.GetValue(lake),
                hub,
                staleValue,
                parseResult.GetValue(json),
                parseResult.GetValue(check));
            return await StatusAsync(request, Console.Out, cancellationToken).ConfigureAwait(false);
        });
        var command = new Command("fleet", "The store gateways as the cloud sees them");
        command.Subcommands.Add(status);
        command.Subcommands.Add(FleetMethodCommands.Flush());
        command.Subcommands.Add(FleetMethodCommands.Replay());
        command.Subcommands.Add(FleetMethodCommands.SetLogLevel());
        return command;
    }

    private static async Task<int> StatusAsync(FleetStatusRequest request, TextWriter output, CancellationToken cancellationToken)
    {
        var live = request.IotHub.IsConfigured;
        if (!live && string.IsNullOrWhiteSpace(request.LakeLocation))
        {
            await Console.Error.WriteLineAsync($"error: give --iothub or --iothub-host (or {IotHubArguments.ConnectionStringVariable} / {IotHubArguments.HostNameVariable}) to read the module twins live, or --lake to read gold.store_health").ConfigureAwait(false);
            return CliApp.UsageError;
        }
        IotHubServiceClient? hub = null;
        LakeContext? lake = null;
        try
        {
            // one Azure.Identity credential (created only if used) for a blob lake and the hub
            var access = AzureAccess.FromProcess();
            if (!string.IsNullOrWhiteSpace(request.LakeLocation))
            {
                lake = new LakeContext(LakeLocations.OpenLake(request.LakeLocation, access), TimeProvider.System);
            }
            hub = request.IotHub.Open(access);
        }
        catch (ArgumentException e)
        {
            lake?.Dispose();
            await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return CliApp.UsageError;
        }
        using var hubClient = hub;
        using var lakeContext = lake;
        IReadOnlyList<StoreHealthRow> rows;
        string origin;
        try
        {
            if (hub is not null)
            {
                var stores = new Dictionary<string, int>(StringComparer.Ordinal);
                if (lake is not null)
                {
                    using var connection = lake.Connect();
                    stores = await StoreHealthMonitor.ReadStoresByDeviceAsync(lake, connection, cancellationToken).ConfigureAwait(false);
                }
                rows = await StoreHealthMonitor.ObserveAsync(hub, stores, TimeProvider.System.GetUtcNow(), request.StaleAfter, cancellationToken).ConfigureAwait(false);
                rows = await FleetDeployments.WithDeploymentsAsync(hub, rows, cancellationToken).ConfigureAwait(false);
                origin = "module twins, live";
            }
            else
            {
                using var connection = lake!.Connect();
                var table = await StoreHealthMonitor.ReadTableAsync(lake, connection, cancellationToken).ConfigureAwait(false);
                if (table is null)
                {
                    await Console.Error.WriteLineAsync($"error: the lake has no {LakeTables.StoreHealth.RelativePath} yet: run the processor with --iothub, or give --iothub here to read the twins live").ConfigureAwait(false);
                    return NoDataExitCode;
                }
                rows = table;
                origin = "gold.store_health";
            }
        }
        catch (Exception e) when (IotHubArguments.DescribeHubFailure(e) is { } failure)
        {
            await Console.Error.WriteLineAsync("error: " + failure).ConfigureAwait(false);
            return NoDataExitCode;
        }
        var ordered = FleetStatusView.Order(rows);
        if (request.Json)
        {
            FleetStatusView.WriteJson(output, ordered);
        }
        else
        {
            FleetStatusView.WriteTable(output, ordered, origin, TimeProvider.System.GetUtcNow());
        }
        return request.Check && ordered.Any(r => !r.Healthy) ? UnhealthyExitCode : 0;
    }

    private sealed record FleetStatusRequest(string? LakeLocation, IotHubSettings IotHub, TimeSpan StaleAfter, bool Json, bool Check);
}
