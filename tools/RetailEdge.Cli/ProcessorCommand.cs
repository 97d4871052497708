using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.IotHubService;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;

namespace RetailEdge.Cli;

/// <summary>
/// <c>retailedge processor run --source &lt;dir|blob url&gt; --lake &lt;dir&gt; [--once]</c>: the cloud
/// processor in the terminal (routed telemetry → bronze → silver → gold). With --once it processes
/// everything available and exits; otherwise it polls until Ctrl+C, stopping between commits.
/// </summary>
public static class ProcessorCommand
{
    public static Command Create()
    {
        var source = new Option<string>("--source") { Description = "Routed telemetry: a folder, or a blob container URL (https or abfss; credentials: RETAILEDGE_SOURCE_CONNECTION_STRING, else Azure.Identity; RETAILEDGE_STORAGE_AUTH chooses)", Required = true };
        var lake = new Option<string>("--lake") { Description = "The lake root: a folder or a blob container URL (https or abfss; credentials: RETAILEDGE_LAKE_CONNECTION_STRING, else Azure.Identity); table layer.name at <lake>/<layer>/<name>", Required = true };
        var once = new Option<bool>("--once") { Description = "Process everything available, then exit" };
        var poll = new Option<int>("--poll-seconds") { Description = "Seconds between polls without --once (default 30)", DefaultValueFactory = _ => 30 };
        poll.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--poll-seconds must be at least 1");
            }
        });
        var iotHub = IotHubArguments.Create("also refresh gold.store_health from module twins");
        var run = new Command("run", "Land, refine and build the lake from routed telemetry");
        run.Options.Add(source);
        run.Options.Add(lake);
        run.Options.Add(once);
        run.Options.Add(poll);
        iotHub.AddTo(run);
        run.SetAction(async (parseResult, cancellationToken) => await iotHub.TryResolveAsync(parseResult).ConfigureAwait(false) is { } hub
            ? await RunAsync(parseResult.GetValue(source)!, parseResult.GetValue(lake)!, parseResult.GetValue(once), TimeSpan.FromSeconds(parseResult.GetValue(poll)),
                hub, cancellationToken).ConfigureAwait(false)
            : CliApp.UsageError);
        var command = new Command("processor", "The cloud processor: routed telemetry to bronze, silver and gold Delta tables");
        command.Subcommands.Add(run);
        return command;
    }

    private static async Task<int> RunAsync(string sourceLocation, string lakeLocation, bool once, TimeSpan poll, IotHubSettings iotHub, CancellationToken cancellationToken)
    {
        ITelemetrySource source;
        ILakeStoreFactory stores;
        IotHubServiceClient? hub = null;
        // one Azure.Identity credential (DefaultAzureCredential, created only if used) for the source, the lake and the hub
        var access = AzureAccess.FromProcess();
        try
        {
            source = LakeLocations.OpenSource(sourceLocation, access);
            stores = LakeLocations.OpenLake(lakeLocation, access);
            hub = iotHub.Open(access);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return CliApp.UsageError;
        }
        using var hubClient = hub;
        using var lake = new LakeContext(stores, TimeProvider.System);
        var monitor = hub is null ? null : new StoreHealthMonitor(lake, hub, TimeSpan.FromMinutes(15), NullLogger<StoreHealthMonitor>.Instance);
        // the processor sends changed reference tables down to the module twins, as the hosted processor does
        var references = hub is null ? null
            : new LakeReferencePublication(lake, ReferenceCommand.CreatePublisher(hub, lakeLocation, access, TimeSpan.FromDays(7)), NullLogger<LakeReferencePublication>.Instance);
        var pipeline = new LakehousePipeline(lake, source, NullLoggerFactory.Instance, monitor: monitor, references: references);
        pipeline.CycleCompleted += c =>
        {
            if (!c.Idle)
            {
                Console.WriteLine($"landed {c.Land.Files} files ({c.Land.Records} records), refined {c.Refine.Batches} batches "
                    + $"({c.Refine.Duplicates} duplicates, {c.Refine.Quarantined} quarantined), refreshed {c.Build?.Tables.Count ?? 0} gold tables");
            }
        };
        try
        {
            if (once)
            {
                await pipeline.RunUntilIdleAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
            while (!cancellationToken.IsCancellationRequested)
            {
                // a cycle in flight finishes its commit; the cancellation is seen between cycles
                await pipeline.RunCycleAsync(CancellationToken.None).ConfigureAwait(false);
                await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
            }
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception e) when (e is AzureCredentialException || e.InnerException is AzureCredentialException)
        {
            // no usable Azure.Identity credential (the blob client wraps it): the message says for what and which settings choose the authentication
            await Console.Error.WriteLineAsync("error: " + (e as AzureCredentialException ?? e.InnerException)!.Message).ConfigureAwait(false);
            return 1;
        }
    }
}
