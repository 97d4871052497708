using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.EventHubsSource;
using RetailEdge.IotHubService;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;

namespace RetailEdge.Cli;

/// <summary>
/// <c>retailedge processor run --source &lt;dir|blob url|eventhubs&gt; --lake &lt;dir&gt; [--once]</c>: the cloud
/// processor in the terminal (routed telemetry or the hub's Event Hubs endpoint → bronze → silver → gold).
/// With --once it processes every routed file available and exits; otherwise it runs until Ctrl+C,
/// stopping between commits. With eventhubs, each bronze commit starts a refine and gold pass at once.
/// </summary>
public static class ProcessorCommand
{
    public static Command Create()
    {
        var source = new Option<string>("--source") { Description = "Routed telemetry: a folder, or a blob container URL (https or abfss; credentials: RETAILEDGE_SOURCE_CONNECTION_STRING, else Azure.Identity; RETAILEDGE_STORAGE_AUTH chooses); or 'eventhubs': the hub's built-in Event Hubs endpoint (see --eventhubs-*, --checkpoint-store)", Required = true };
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
        var eventHubs = new EventHubsArguments();
        var run = new Command("run", "Land, refine and build the lake from routed telemetry");
        run.Options.Add(source);
        run.Options.Add(lake);
        run.Options.Add(once);
        run.Options.Add(poll);
        iotHub.AddTo(run);
        eventHubs.AddTo(run);
        run.SetAction(async (parseResult, cancellationToken) => await iotHub.TryResolveAsync(parseResult).ConfigureAwait(false) is { } hub
            ? await RunAsync(parseResult, parseResult.GetValue(source)!, parseResult.GetValue(lake)!, parseResult.GetValue(once), TimeSpan.FromSeconds(parseResult.GetValue(poll)),
                hub, eventHubs, cancellationToken).ConfigureAwait(false)
            : CliApp.UsageError);
        var command = new Command("processor", "The cloud processor: routed telemetry or the hub's Event Hubs endpoint to bronze, silver and gold Delta tables");
        command.Subcommands.Add(run);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, string sourceLocation, string lakeLocation, bool once, TimeSpan poll, IotHubSettings iotHub,
        EventHubsArguments eventHubArguments, CancellationToken cancellationToken)
    {
        ITelemetrySource? source = null;
        (EventHubsSourceOptions Options, string? ConnectionString, BlobLocation CheckpointStore)? eventHubs = null;
        ILakeStoreFactory stores;
        IotHubServiceClient? hub = null;
        // one Azure.Identity credential (DefaultAzureCredential, created only if used) for the source, the lake and the hub
        var access = AzureAccess.FromProcess();
        try
        {
            if (string.Equals(sourceLocation, "eventhubs", StringComparison.OrdinalIgnoreCase))
            {
                if (once)
                {
                    throw new ArgumentException("--once reads routed files; --source eventhubs runs until Ctrl+C");
                }
                eventHubs = eventHubArguments.Resolve(parseResult, access);
            }
            else
            {
                source = LakeLocations.OpenSource(sourceLocation, access);
            }
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
            if (eventHubs is { } settings)
            {
                return await RunEventHubsAsync(settings.Options, settings.ConnectionString, settings.CheckpointStore, access, lake, pipeline, poll, cancellationToken).ConfigureAwait(false);
            }
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

    /// <summary>The Event Hubs source until Ctrl+C: bronze by the processor; a refine and gold pass after each bronze commit (or each poll).</summary>
    private static async Task<int> RunEventHubsAsync(EventHubsSourceOptions options, string? connectionString, BlobLocation checkpointStore, AzureAccess access,
        LakeContext lake, LakehousePipeline pipeline, TimeSpan poll, CancellationToken cancellationToken)
    {
        var processor = EventHubsAccess.OpenProcessor(options, connectionString, checkpointStore, access, lake, NullLoggerFactory.Instance);
        await using (processor.ConfigureAwait(false))
        {
            using var landed = new SemaphoreSlim(0, 1);
            processor.Landed += result =>
            {
                Console.WriteLine($"landed {result.Landed} events into bronze version {result.Version} ({result.AlreadyLanded} already landed)");
                if (landed.CurrentCount == 0)
                {
                    landed.Release();
                }
            };
            await processor.StartProcessingAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    await landed.WaitAsync(poll, cancellationToken).ConfigureAwait(false);
                    try
                    {
                        // a pass in flight finishes its commit; the cancellation is seen between passes
                        await pipeline.RunCycleAsync(CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (RetailEdge.Delta.DeltaConflictException e)
                    {
                        // another instance refined or built the same range first: the next pass continues from its commit
                        await Console.Error.WriteLineAsync("warning: " + e.Message).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C
            }
            finally
            {
                // hands this instance's partitions back so another one takes them over at once
                await processor.StopProcessingAsync(CancellationToken.None).ConfigureAwait(false);
            }
            return 0;
        }
    }
}
