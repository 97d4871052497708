using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Lakehouse;

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
        var source = new Option<string>("--source") { Description = "Routed telemetry: a folder, or a blob container URL (credentials in RETAILEDGE_SOURCE_CONNECTION_STRING)", Required = true };
        var lake = new Option<string>("--lake") { Description = "The lake root folder (table layer.name at <lake>/<layer>/<name>)", Required = true };
        var once = new Option<bool>("--once") { Description = "Process everything available, then exit" };
        var poll = new Option<int>("--poll-seconds") { Description = "Seconds between polls without --once (default 30)", DefaultValueFactory = _ => 30 };
        poll.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--poll-seconds must be at least 1");
            }
        });
        var run = new Command("run", "Land, refine and build the lake from routed telemetry");
        run.Options.Add(source);
        run.Options.Add(lake);
        run.Options.Add(once);
        run.Options.Add(poll);
        run.SetAction((parseResult, cancellationToken) => RunAsync(parseResult.GetValue(source)!, parseResult.GetValue(lake)!,
            parseResult.GetValue(once), TimeSpan.FromSeconds(parseResult.GetValue(poll)), cancellationToken));
        var command = new Command("processor", "The cloud processor: routed telemetry to bronze, silver and gold Delta tables");
        command.Subcommands.Add(run);
        return command;
    }

    private static async Task<int> RunAsync(string sourceLocation, string lakeLocation, bool once, TimeSpan poll, CancellationToken cancellationToken)
    {
        ITelemetrySource source;
        ILakeStoreFactory stores;
        try
        {
            source = LakeLocations.OpenSource(sourceLocation);
            stores = LakeLocations.OpenLake(lakeLocation);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return CliApp.UsageError;
        }
        using var lake = new LakeContext(stores, TimeProvider.System);
        var pipeline = new LakehousePipeline(lake, source, NullLoggerFactory.Instance);
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
    }
}
