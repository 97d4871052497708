using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.IotHubService;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;

namespace RetailEdge.Cli;

/// <summary>
/// <c>retailedge reference load --from &lt;dir of CSV&gt; --lake &lt;lake&gt;</c>: writes reference.store,
/// reference.item, reference.change_type and (when assortment.csv exists) reference.assortment.
/// <c>retailedge reference publish --lake &lt;lake&gt; (--iothub &lt;file&gt; | --iothub-host &lt;host&gt;) [--stores 1,2] [--dry-run]</c>:
/// sends each store's set down to its StoreGateway module twin, patching only the twins whose version differs.
/// </summary>
public static class ReferenceCommand
{
    /// <summary>Exit code of <c>publish</c> when a store could not be reached (no module twin, or the hub refused its patch).</summary>
    public const int IncompleteExitCode = 1;

    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "Folder with store.csv, item.csv, change_type.csv[, assortment.csv] (simulate --reference-out writes them)", Required = true };
        var lake = new Option<string>("--lake") { Description = "The lake root: a folder or a blob container URL (https or abfss; credentials: RETAILEDGE_LAKE_CONNECTION_STRING, else Azure.Identity)", Required = true };
        var load = new Command("load", "Load reference CSVs into the lake's reference tables");
        load.Options.Add(from);
        load.Options.Add(lake);
        load.SetAction((parseResult, cancellationToken) => LoadAsync(parseResult.GetValue(from)!, parseResult.GetValue(lake)!, cancellationToken));
        var command = new Command("reference", "Reference data (stores, items, change types, assortment) in the lake");
        command.Subcommands.Add(load);
        command.Subcommands.Add(CreatePublish(lake));
        return command;
    }

    /// <summary>
    /// The publisher for a lake: large sets go beside the lake (its folder, file urls; or its container,
    /// read-only SAS urls valid for <paramref name="urlLifetime"/>).
    /// </summary>
    internal static ReferencePublisher CreatePublisher(IotHubServiceClient hub, string lakeLocation, AzureAccess access, TimeSpan urlLifetime) =>
        new(hub, LakeLocations.OpenReferenceSetStore(lakeLocation, access, urlLifetime), new ReferencePublisherOptions(), NullLogger<ReferencePublisher>.Instance);

    private static Command CreatePublish(Option<string> lake)
    {
        var iotHub = IotHubArguments.Create("patch the StoreGateway module twins");
        var stores = new Option<string?>("--stores") { Description = "Only these store ids, comma-separated (default: every store in reference.store)" };
        stores.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && !TryParseStores(text, out _))
            {
                r.AddError($"--stores '{text}' must be store ids separated by commas, e.g. 1,2,17");
            }
        });
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would change per store; patch and upload nothing" };
        var urlLifetime = new Option<string>("--url-lifetime") { Description = "How long a blob url to a large set stays valid (5m to 7d; default 7d)", DefaultValueFactory = _ => "7d" };
        urlLifetime.Validators.Add(r =>
        {
            if (!SimulateArguments.TryParseDuration(r.GetValueOrDefault<string>() ?? string.Empty, out var value, out var error, "--url-lifetime"))
            {
                r.AddError(error);
            }
            else if (value < TimeSpan.FromMinutes(5) || value > TimeSpan.FromDays(7))
            {
                r.AddError("--url-lifetime must be from 5m to 7d");
            }
        });
        var publish = new Command("publish", "Send each store's reference set to its StoreGateway module twin (only the twins whose version differs)");
        publish.Options.Add(lake);
        iotHub.AddTo(publish);
        publish.Options.Add(stores);
        publish.Options.Add(dryRun);
        publish.Options.Add(urlLifetime);
        publish.SetAction(async (parseResult, cancellationToken) =>
        {
            if (await iotHub.TryResolveAsync(parseResult).ConfigureAwait(false) is not { } hub)
            {
                return CliApp.UsageError;
            }
            SimulateArguments.TryParseDuration(parseResult.GetValue(urlLifetime)!, out var lifetime, out _, "--url-lifetime");
            TryParseStores(parseResult.GetValue(stores), out var only);
            return await PublishAsync(parseResult.GetValue(lake)!, hub, only, parseResult.GetValue(dryRun), lifetime, Console.Out, cancellationToken).ConfigureAwait(false);
        });
        return publish;
    }

    private static async Task<int> PublishAsync(string lakeLocation, IotHubSettings iotHub, IReadOnlySet<int>? stores, bool dryRun, TimeSpan urlLifetime, TextWriter output, CancellationToken cancellationToken)
    {
        if (!iotHub.IsConfigured)
        {
            await Console.Error.WriteLineAsync($"error: give --iothub or --iothub-host (or {IotHubArguments.ConnectionStringVariable} / {IotHubArguments.HostNameVariable}): publish patches the module twins").ConfigureAwait(false);
            return CliApp.UsageError;
        }
        var access = AzureAccess.FromProcess();
        LakeContext lake;
        IotHubServiceClient hub;
        ReferencePublisher publisher;
        try
        {
            lake = new LakeContext(LakeLocations.OpenLake(lakeLocation, access), TimeProvider.System);
            hub = iotHub.Open(access)!;
            publisher = CreatePublisher(hub, lakeLocation, access, urlLifetime);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return CliApp.UsageError;
        }
        using var lakeContext = lake;
        using var hubClient = hub;
        try
        {
            Contracts.Reference.ReferenceTables? tables;
            using (var connection = lake.Connect())
            {
                tables = await ReferenceLoader.ReadTablesAsync(lake, connection, cancellationToken).ConfigureAwait(false);
            }
            if (tables is null)
            {
                await Console.Error.WriteLineAsync("error: the lake has no reference.store or reference.item: run `retailedge reference load` first").ConfigureAwait(false);
                return CliApp.UsageError;
            }
            var result = await publisher.PublishAsync(tables, stores, dryRun, cancellationToken).ConfigureAwait(false);
            Write(output, result, dryRun);
            return result.Stores.All(s => s.Action is not (StorePublishAction.Failed or StorePublishAction.NoTwin)) ? 0 : IncompleteExitCode;
        }
        catch (Exception e) when (e is IotHubServiceException or HttpRequestException)
        {
            // the service error's own message; it never carries the key
            await Console.Error.WriteLineAsync("error: IoT Hub: " + e.Message).ConfigureAwait(false);
            return IncompleteExitCode;
        }
        catch (Exception e) when (e is AzureCredentialException || e.InnerException is AzureCredentialException)
        {
            await Console.Error.WriteLineAsync("error: " + (e as AzureCredentialException ?? e.InnerException)!.Message).ConfigureAwait(false);
            return IncompleteExitCode;
        }
        catch (Azure.RequestFailedException e)
        {
            await Console.Error.WriteLineAsync($"error: blob storage refused the reference set ({e.Status} {e.ErrorCode})").ConfigureAwait(false);
            return IncompleteExitCode;
        }
    }

    private static void Write(TextWriter output, ReferencePublishResult result, bool dryRun)
    {
        foreach (var problem in result.Problems)
        {
            output.WriteLine("warning: " + problem);
        }
        foreach (var store in result.Stores)
        {
            var action = store.Action switch
            {
                StorePublishAction.Patched => "patched",
                StorePublishAction.WouldPatch => "would patch",
                StorePublishAction.Unchanged => "unchanged",
                StorePublishAction.NoTwin => "no twin",
                _ => "FAILED",
            };
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"store {store.StoreId} ({store.DeviceId}): {action}, {store.OldVersion ?? "none"} → {store.NewVersion}: {store.Detail}"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Stores.Count} store(s): {result.Count(dryRun ? StorePublishAction.WouldPatch : StorePublishAction.Patched)} {(dryRun ? "would be patched" : "patched")}, "
            + $"{result.Count(StorePublishAction.Unchanged)} unchanged, {result.Count(StorePublishAction.NoTwin)} without a module twin, {result.Count(StorePublishAction.Failed)} failed"));
    }

    private static bool TryParseStores(string? text, out IReadOnlySet<int>? stores)
    {
        stores = null;
        if (text is null)
        {
            return true;
        }
        var set = new HashSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            {
                return false;
            }
            set.Add(id);
        }
        stores = set;
        return set.Count > 0;
    }

    private static async Task<int> LoadAsync(string from, string lakeLocation, CancellationToken cancellationToken)
    {
        try
        {
            using var lake = new LakeContext(LakeLocations.OpenLake(lakeLocation), TimeProvider.System);
            var counts = await new ReferenceLoader(lake).LoadAsync(from, cancellationToken).ConfigureAwait(false);
            foreach (var (table, rows) in counts)
            {
                Console.WriteLine($"{table}: {rows} rows");
            }
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or FormatException)
        {
            // one line naming the file or setting that is wrong
            await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return CliApp.UsageError;
        }
        catch (Exception e) when (e is AzureCredentialException || e.InnerException is AzureCredentialException)
        {
            // no usable Azure.Identity credential (the blob client wraps it): what for, and which settings choose the authentication
            await Console.Error.WriteLineAsync("error: " + (e as AzureCredentialException ?? e.InnerException)!.Message).ConfigureAwait(false);
            return 1;
        }
    }
}
