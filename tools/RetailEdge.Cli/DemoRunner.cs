using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Cli.Report;
using RetailEdge.Contracts;
using RetailEdge.Contracts.Reference;
using RetailEdge.EventHubsSource;
using RetailEdge.HubEmulator;
using RetailEdge.IotHubService;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;
using RetailEdge.Simulator;

namespace RetailEdge.Cli;

/// <summary>
/// Runs the demo end to end, in one process and on loopback only: simulator → one in-process
/// StoreGateway per store (HTTP ingest, SQLite journal, MQTT to the hub) → hub emulator (routing
/// to a folder) → processor (bronze, silver, gold in a local lake folder) → a summary.
/// </summary>
public sealed class DemoRunner(DemoOptions options, TextWriter output, TextWriter? errors = null)
{
    private const string HubName = "demohub";
    private const string ModuleId = "StoreGateway";
    private const int EventsPerRequest = 1000;
    private const string Marker = ".retailedge-demo";

    private readonly DemoProgress _progress = new();

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var view = DemoLiveView.Start(_progress, output, options.Live);
        try
        {
            return await RunStagesAsync(view, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await view.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Runs the stages under the progress view, and closes the view before the tables are printed.</summary>
    private async Task<int> RunStagesAsync(DemoLiveView view, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (!PrepareDirectory(out var error))
        {
            await (errors ?? Console.Error).WriteLineAsync("error: " + error).ConfigureAwait(false);
            return CliApp.UsageError;
        }
        var referenceDir = Path.Combine(options.Directory, "reference");
        var routingDir = Path.Combine(options.Directory, "routing");
        var lakeDir = Path.Combine(options.Directory, "lake");
        Directory.CreateDirectory(routingDir);

        // 1. simulate
        var simulator = new StoreSimulator(new SimulationOptions
        {
            Profile = options.Profile,
            Stores = options.Stores,
            Duration = options.Duration,
            Start = options.Start,
            StartIsStoreLocal = options.StartIsStoreLocal,
            Seed = options.Seed,
            Faults = FaultSettings.FromName(options.Faults),
        });
        var catalog = simulator.Catalog;
        WriteReference(catalog, referenceDir);
        var eventsByStore = catalog.Stores.ToDictionary(s => s.StoreId, _ => new List<byte[]>());
        foreach (var simulated in simulator.Generate())
        {
            if (eventsByStore.TryGetValue(simulated.StoreId, out var list))
            {
                list.Add(simulated.Json);
            }
        }
        var simulatedEvents = eventsByStore.Values.Sum(l => l.Count);
        _progress.Set(DemoStage.Simulated, simulatedEvents);
        Step($"simulated {options.Stores} {options.Profile} store(s) × {DurationText(options.Duration)} from {options.Start:yyyy-MM-dd HH:mm}: {simulatedEvents:N0} events ({simulator.Faults.Total:N0} injected faults)");
        if (simulatedEvents == 0)
        {
            // say so now rather than run an empty pipeline: the usual cause is a window outside trading hours
            await (errors ?? Console.Error).WriteLineAsync(EmptyWindowMessage(simulator.Profile)).ConfigureAwait(false);
            return CliApp.UsageError;
        }

        // 2. reference tables in the lake
        using var lake = new LakeContext(new LocalLakeStoreFactory(lakeDir), TimeProvider.System);
        var loaded = await new ReferenceLoader(lake).LoadAsync(referenceDir, cancellationToken).ConfigureAwait(false);
        Step($"loaded reference tables: {string.Join(", ", loaded.Select(p => $"{p.Key} {p.Value:N0}"))}");

        // 3. the local IoT Hub
        await using var hub = new HubEmulator.HubEmulator(new HubEmulatorOptions
        {
            RegistryPath = Path.Combine(options.Directory, "hub", "registry.json"),
            HubName = HubName,
            RoutingTarget = routingDir,
            BatchInterval = options.RoutingInterval,
        }, TimeProvider.System, NullLoggerFactory.Instance);
        await hub.StartAsync(cancellationToken).ConfigureAwait(false);
        _progress.Watch(DemoStage.SentToHub, () => hub.Metrics.TelemetryAccepted);
        _progress.Watch(DemoStage.Routed, () => hub.Routing.RecordsWritten);
        Step($"hub emulator: MQTT {hub.MqttEndPoint}, REST {hub.RestBaseAddress}, routing to {routingDir}");
        using var service = new IotHubServiceClient(new IotHubServiceClientOptions
        {
            ConnectionString = hub.Registry.ServiceConnectionString(),
            Endpoint = hub.RestBaseAddress,
        });

        // 4. one StoreGateway per store; the processor's publisher sends each its reference set through
        //    the module twin first (inline when small, else a file beside the lake the gateways may read)
        foreach (var store in catalog.Stores)
        {
            await hub.Registry.AddModuleAsync(store.DeviceId, ModuleId, cancellationToken).ConfigureAwait(false);
        }
        var referenceFiles = new FolderReferenceSetStore(lakeDir);
        var published = await PublishReferenceAsync(lake, service, referenceFiles, cancellationToken).ConfigureAwait(false);
        Step($"published reference data to {published.Count(StorePublishAction.Patched)} module twin(s)");
        var gateways = new List<DemoGateway>();
        long lastPosted;
        try
        {
            foreach (var store in catalog.Stores)
            {
                gateways.Add(await DemoGateway.StartAsync(
                    store.StoreId,
                    store.DeviceId,
                    // the hub's host name is not resolvable here: connect through the emulator on loopback,
                    // as a module connects through an edgeHub gateway
                    hub.Registry.ModuleConnectionString(store.DeviceId, ModuleId) + ";GatewayHostName=127.0.0.1",
                    hub.MqttEndPoint.Port,
                    Path.Combine(options.Directory, "gateways", store.DeviceId),
                    referenceFiles.Folder,
                    cancellationToken).ConfigureAwait(false));
            }
            await WaitConnectedAsync(hub, gateways.Count, cancellationToken).ConfigureAwait(false);
            await WaitReferenceAppliedAsync(service, published, cancellationToken).ConfigureAwait(false);
            Step($"started {gateways.Count} StoreGateway module(s) connected to the hub, each with its reference data applied");

            // 5. the stores' traffic, over HTTP
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            foreach (var gateway in gateways)
            {
                foreach (var chunk in eventsByStore[gateway.StoreId].Chunk(EventsPerRequest))
                {
                    await PostAsync(http, gateway, chunk, cancellationToken).ConfigureAwait(false);
                    _progress.Posted($"store {gateway.StoreId}", chunk.Length);
                }
            }
            lastPosted = Stopwatch.GetTimestamp();
            _progress.PostingDone();
            Step($"posted {simulatedEvents:N0} events to {gateways.Count} gateway(s) over HTTP ({_progress.Snapshot().PostedPerSecond:N0} events/s)");

            // 6. seal and send now (a direct method through the hub), then wait for the outboxes
            foreach (var gateway in gateways)
            {
                var result = await service.InvokeModuleMethodAsync(gateway.DeviceId, ModuleId,
                    new MethodInvocation("flush") { ResponseTimeout = TimeSpan.FromSeconds(30) }, cancellationToken).ConfigureAwait(false);
                if (result.Status is < 200 or >= 300)
                {
                    throw new InvalidOperationException($"flush on {gateway.DeviceId} answered {result.Status}");
                }
            }
            await WaitDrainedAsync(http, gateways, cancellationToken).ConfigureAwait(false);
            await WaitTwinsReportDrainedAsync(service, gateways, cancellationToken).ConfigureAwait(false);
            await hub.Routing.FlushAsync(cancellationToken).ConfigureAwait(false);
            _progress.Unwatch(DemoStage.SentToHub);
            _progress.Unwatch(DemoStage.Routed);
            Step($"gateway outboxes drained; the hub routed {hub.Routing.RecordsWritten:N0} messages into {hub.Routing.FilesWritten:N0} files");
        }
        finally
        {
            foreach (var gateway in gateways)
            {
                await gateway.DisposeAsync().ConfigureAwait(false);
            }
        }

        // 7. the processor: bronze (from routed files, or from the hub's Event Hubs-compatible endpoint) → silver → gold,
        //    and gold.store_health from the module twins
        var monitor = new StoreHealthMonitor(lake, service, TimeSpan.FromMinutes(15), NullLogger<StoreHealthMonitor>.Instance);
        ITelemetrySource? routed = new FolderTelemetrySource(routingDir);
        if (options.Source == DemoOptions.EventHubsSource)
        {
            await LandFromEventHubsAsync(hub, lake, hub.Routing.RecordsWritten, cancellationToken).ConfigureAwait(false);
            routed = null;
        }
        var pipeline = new LakehousePipeline(lake, routed, NullLoggerFactory.Instance, monitor: monitor);
        var cycles = await pipeline.RunUntilIdleAsync(cancellationToken).ConfigureAwait(false);
        var lastPostedToGold = Stopwatch.GetElapsedTime(lastPosted);
        Step($"processor: {cycles} cycle(s) into {lakeDir}");

        // every count printed from here on is read back from the lake, so it agrees with gold.store_health and silver.quarantine
        using var views = await LakeViews.OpenAsync(lake, cancellationToken).ConfigureAwait(false);
        var counts = LakeCounts.Read(views);
        _progress.Set(DemoStage.Bronze, counts.Messages);
        _progress.Set(DemoStage.Silver, counts.Batches);
        _progress.Set(DemoStage.Gold, counts.Transactions);
        Step($"in the lake: {counts.Messages:N0} device messages ({counts.BillableUnits:N0} billable units), {counts.Batches:N0} batches, "
            + $"{counts.RejectedAtGateways:N0} events rejected at the gateways, {counts.QuarantinedInCloud:N0} rows quarantined in the cloud");
        await view.DisposeAsync().ConfigureAwait(false);
        new DemoReport(views, output, options.Live).Write();
        var reportPath = Path.Combine(options.Directory, "report.html");
        await GoldReportReader.WriteReportAsync(views, reportPath,
            $"RetailEdge demo: {options.Stores} {options.Profile} store(s), {DurationText(options.Duration)} from {options.Start:yyyy-MM-dd HH:mm}",
            RunFigures(simulatedEvents, simulator.Faults.Total, counts, lastPostedToGold), cancellationToken).ConfigureAwait(false);
        output.WriteLine();
        output.WriteLine($"report with charts: {reportPath}");
        output.WriteLine($"done in {clock.Elapsed.TotalSeconds:F1} s. Explore: retailedge lake show {Path.Combine(lakeDir, "gold", "sales_by_day")} --format csv");
        output.WriteLine($"Store health as the processor last saw it: retailedge fleet status --lake {lakeDir}");
        return 0;
    }

    private IReadOnlyList<ReportFigure> RunFigures(long simulatedEvents, long injectedFaults, LakeCounts counts, TimeSpan lastPostedToGold) =>
    [
        new("stores", $"{options.Stores} ({options.Profile} profile, seed {options.Seed}, faults {options.Faults})"),
        new("simulated events", $"{simulatedEvents:N0} ({injectedFaults:N0} injected faults)"),
        new("rejected at the gateways (gold.store_health)", $"{counts.RejectedAtGateways:N0}"),
        new("device messages in bronze", $"{counts.Messages:N0} in {counts.Batches:N0} batches"),
        new("IoT Hub billable units (4 KB each)", $"{counts.BillableUnits:N0}"),
        new("quarantined in the cloud (silver.quarantine)", $"{counts.QuarantinedInCloud:N0} ({counts.SeqConflicts:N0} seq conflicts)"),
        new("transactions and revenue (gold.sales_by_day)", $"{counts.Transactions:N0} · {counts.Revenue:N2}"),
        new("last event posted → gold written", $"{lastPostedToGold.TotalSeconds:F1} s (flush, drain, {options.Source} source, processor)"),
    ];

    private string EmptyWindowMessage(SimulationProfile profile) =>
        $"error: no events in the chosen window ({options.Start:yyyy-MM-dd HH:mm} + {DurationText(options.Duration)}): {profile.Name} stores trade "
        + $"{profile.OpenHour:00}:00–{profile.CloseHour:00}:00 local time. Try e.g. --start {options.Start:yyyy-MM-dd}T{profile.OpenHour + 2:00}:00 --duration {options.Duration.TotalHours:0.#}h";

    private static string DurationText(TimeSpan duration) =>
        duration.TotalHours % 24 == 0 ? $"{duration.TotalDays:0}d" : duration.TotalMinutes % 60 == 0 ? $"{duration.TotalHours:0}h" : $"{duration.TotalMinutes:0}m";

    /// <summary>
    /// Reads every message the hub accepted from its Event Hubs-compatible endpoint into bronze (one
    /// processor instance; ownership and checkpoints in memory, bronze's txn positions make it exactly once).
    /// </summary>
    private async Task LandFromEventHubsAsync(HubEmulator.HubEmulator hub, LakeContext lake, long messages, CancellationToken cancellationToken)
    {
        var processor = new BronzeEventProcessor(new InMemoryCheckpointStore(), new EventHubsSourceOptions(), hub.EventHubsConnectionString(), lake, NullLoggerFactory.Instance);
        await using (processor.ConfigureAwait(false))
        {
            long landed = 0;
            processor.Landed += result => Interlocked.Add(ref landed, result.Landed);
            await processor.StartProcessingAsync(cancellationToken).ConfigureAwait(false);
            var deadline = Stopwatch.StartNew();
            while (Interlocked.Read(ref landed) < messages)
            {
                if (deadline.Elapsed > options.DrainTimeout)
                {
                    throw new TimeoutException($"{Interlocked.Read(ref landed):N0} of {messages:N0} messages read from the Event Hubs endpoint after {options.DrainTimeout}");
                }
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
            await processor.StopProcessingAsync(cancellationToken).ConfigureAwait(false);
        }
        Step($"Event Hubs source: {messages:N0} messages read from {hub.EventHubsEndPoint} into bronze");
    }

    private bool PrepareDirectory(out string error)
    {
        error = "";
        if (Directory.Exists(options.Directory) && Directory.EnumerateFileSystemEntries(options.Directory).Any())
        {
            if (!File.Exists(Path.Combine(options.Directory, Marker)))
            {
                error = $"--dir {options.Directory} is not empty and was not made by retailedge demo; choose another folder";
                return false;
            }
            Directory.Delete(options.Directory, recursive: true);
        }
        try
        {
            Directory.CreateDirectory(options.Directory);
            File.WriteAllText(Path.Combine(options.Directory, Marker), "made by retailedge demo; replaced on the next run\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"--dir {options.Directory} is not writable: {e.Message}";
            return false;
        }
        return true;
    }

    private static void WriteReference(SimulationCatalog catalog, string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, ReferenceCsv.StoreFile), ReferenceCsv.FormatStores(catalog.Stores));
        File.WriteAllText(Path.Combine(directory, ReferenceCsv.ItemFile), ReferenceCsv.FormatItems(catalog.Items));
        File.WriteAllText(Path.Combine(directory, ReferenceCsv.ChangeTypeFile), ReferenceCsv.FormatChangeTypes(catalog.ChangeTypes));
        File.WriteAllText(Path.Combine(directory, ReferenceCsv.AssortmentFile), ReferenceCsv.FormatAssortment(catalog.Assortment));
    }

    private static async Task<ReferencePublishResult> PublishReferenceAsync(LakeContext lake, IotHubServiceClient service, IReferenceSetStore files, CancellationToken cancellationToken)
    {
        using var connection = lake.Connect();
        var tables = await ReferenceLoader.ReadTablesAsync(lake, connection, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("the reference tables were not loaded");
        var publisher = new ReferencePublisher(service, files, new ReferencePublisherOptions { TwinOperationsPerSecond = 50 }, NullLogger<ReferencePublisher>.Instance);
        var result = await publisher.PublishAsync(tables, null, dryRun: false, cancellationToken).ConfigureAwait(false);
        if (!result.Stores.All(s => s.Action is StorePublishAction.Patched or StorePublishAction.Unchanged))
        {
            throw new InvalidOperationException("reference data did not reach every module twin: "
                + string.Join("; ", result.Stores.Where(s => s.Action is not (StorePublishAction.Patched or StorePublishAction.Unchanged)).Select(s => $"{s.DeviceId}: {s.Detail}")));
        }
        return result;
    }

    /// <summary>Posts one request of events; the gateway's answer counts are not summed here, its twin's are (gold.store_health).</summary>
    private static async Task PostAsync(HttpClient http, DemoGateway gateway, byte[][] events, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        foreach (var json in events)
        {
            body.Write(json);
            body.WriteByte((byte)'\n');
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.BaseAddress, "events")) { Content = new ByteArrayContent(body.ToArray()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        gateway.Authorize(request);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    private static async Task WaitConnectedAsync(HubEmulator.HubEmulator hub, int modules, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (hub.Connections.Count < modules)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"only {hub.Connections.Count} of {modules} gateways connected to the hub within a minute");
            }
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A gateway reads its twin after it connects: wait (bounded) until each reports the published version,
    /// so no basket is checked for price mismatches and low stock before the catalogue is there.
    /// </summary>
    private async Task WaitReferenceAppliedAsync(IotHubServiceClient service, ReferencePublishResult published, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        foreach (var store in published.Stores)
        {
            while (true)
            {
                var twin = await service.GetModuleTwinAsync(store.DeviceId, ModuleId, cancellationToken).ConfigureAwait(false);
                var reported = TolerantJson.Deserialize(twin.Reported, ContractsJsonContext.Default.GatewayReportedProperties, out _);
                if (reported.ReferenceDataVersion == store.NewVersion)
                {
                    break;
                }
                if (deadline.Elapsed > options.DrainTimeout)
                {
                    // what the gateway last said (its reference or configuration error, its connection) names the cause
                    throw new TimeoutException($"{store.DeviceId} did not report reference data version {store.NewVersion} within {options.DrainTimeout}; "
                        + $"it reports {reported.ReferenceDataVersion ?? "no version"}, referenceDataError {reported.ReferenceDataError ?? "none"}, "
                        + $"configError {reported.ConfigError ?? "none"}, status {reported.Status ?? "none"}");
                }
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task WaitDrainedAsync(HttpClient http, List<DemoGateway> gateways, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            long buffered = 0;
            foreach (var gateway in gateways)
            {
                // /health carries the reported properties' shape (plus local counters, ignored here)
                var health = JsonSerializer.Deserialize(
                    await http.GetStringAsync(new Uri(gateway.BaseAddress, "health"), cancellationToken).ConfigureAwait(false),
                    ContractsJsonContext.Default.GatewayReportedProperties);
                var gatewayBuffered = health?.BufferedBatches ?? 0;
                buffered += gatewayBuffered;
                _progress.GatewayHealth($"store {gateway.StoreId}", gatewayBuffered, health?.Rejected ?? 0);
            }
            if (buffered == 0)
            {
                return;
            }
            if (deadline.Elapsed > options.DrainTimeout)
            {
                throw new TimeoutException($"{buffered} batches still buffered after {options.DrainTimeout}");
            }
            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The gateways report their health every couple of seconds: wait (bounded) until every module
    /// twin says its outbox is empty, so gold.store_health shows the state after the drain.
    /// </summary>
    private async Task WaitTwinsReportDrainedAsync(IotHubServiceClient service, List<DemoGateway> gateways, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        foreach (var gateway in gateways)
        {
            while (deadline.Elapsed < options.DrainTimeout)
            {
                var twin = await service.GetModuleTwinAsync(gateway.DeviceId, ModuleId, cancellationToken).ConfigureAwait(false);
                var reported = TolerantJson.Deserialize(twin.Reported, ContractsJsonContext.Default.GatewayReportedProperties, out _);
                if (reported.BufferedBatches == 0 && reported.LastSentAt is not null)
                {
                    break;
                }
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Step(string text) => _progress.Step(text);
}
