using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Reference;
using RetailEdge.Contracts.Twin;
using RetailEdge.Delta.Storage;
using RetailEdge.EventHubsSource;
using RetailEdge.HubEmulator;
using RetailEdge.Lakehouse;
using RetailEdge.Simulator;
using RetailEdge.StoreGateway.Core;
using RetailEdge.Testing;

namespace RetailEdge.Benchmarks.Freshness;

/// <summary>
/// ARCHITECTURE.md §11 end-to-end freshness: a POS basket ingested by a store gateway (the engine the
/// HTTP/MQTT ingest calls, on the real clock) → sealed window → MQTT → hub emulator → processor → its
/// sale visible in gold.sales_per_minute. Both sources side by side in one run, from the same
/// messages: the Event Hubs-compatible endpoint (BronzeEventProcessor, a refine and gold pass after each
/// bronze commit) and routed files (the emulator routing every 60 s, IoT Hub's shortest batch
/// interval; the processor polling every 5 s). An event counts as visible when gold's units for its
/// item reach the number of events of that item posted up to it (one unit each).
/// </summary>
public sealed class FreshnessBenchmark : IBenchmark
{
    private const string ModuleId = "StoreGateway";
    private static readonly TimeSpan RoutingInterval = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RoutedPoll = TimeSpan.FromSeconds(5);

    public string Name => "freshness";

    public string Description => "POS event → gold.sales_per_minute latency, Event Hubs vs routed files (args: [events=300] [per-second=2] [settings=default,10s]; 10s = 10 s windows, the other settings default)";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
        var perSecond = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        var settings = (args.Length > 2 ? args[2] : "default,10s").Split(',');
        await using var azurite = await AzuriteServer.StartAsync(cancellationToken).ConfigureAwait(false);
        foreach (var name in settings)
        {
            var gatewaySettings = name switch
            {
                "default" => GatewaySettings.Default,
                // 10 s windows, sealed after the default grace and sent on seal
                "10s" => GatewaySettings.Default with { Window = TimeSpan.FromSeconds(10) },
                _ => throw new ArgumentException($"settings '{name}': default or 10s (10 s windows)"),
            };
            await RunOnceAsync(name, gatewaySettings, events, perSecond, azurite, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task RunOnceAsync(string name, GatewaySettings settings, int count, double perSecond, AzuriteServer azurite, CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory("freshness");
        var simulator = new StoreSimulator(new SimulationOptions { Profile = "small", Stores = 1, Duration = TimeSpan.FromHours(1), Seed = 5 });
        var catalog = simulator.Catalog;
        var store = catalog.Stores[0];
        var items = catalog.Items.Where(i => catalog.ItemIdsOf(store.StoreId).Contains(i.ItemId) && i.UnitPrice > 0).Take(25).ToList();

        await using var hub = new HubEmulator.HubEmulator(new HubEmulatorOptions
        {
            RegistryPath = temp.Combine("hub", "registry.json"),
            HubName = "freshhub",
            RoutingTarget = temp.Combine("routing"),
            BatchInterval = RoutingInterval,
        }, TimeProvider.System, NullLoggerFactory.Instance);
        await hub.StartAsync(cancellationToken).ConfigureAwait(false);
        await hub.Registry.AddModuleAsync(store.DeviceId, ModuleId, cancellationToken).ConfigureAwait(false);

        using var engine = new GatewayEngine(new GatewayEngineOptions
        {
            StoreId = store.StoreId, GatewayId = store.DeviceId, DataDirectory = temp.Combine("gateway"), InitialSettings = settings,
        });
        await using var transport = new ModuleClientTransport(hub.ModuleClientOptions(store.DeviceId, ModuleId));
        using var stop = new CancellationTokenSource();
        // the uplink only sends: the transport is connected here, as the module host's uplink service does
        await transport.StartAsync(null!, cancellationToken).ConfigureAwait(false);
        // the engine's writer loop runs first: reference data and events are commands it executes
        var engineLoop = Task.Run(() => engine.RunAsync(stop.Token), cancellationToken);
        var uplinkLoop = Task.Run(() => new OutboxUplink(engine, transport).RunAsync(stop.Token), cancellationToken);
        var reference = ReferenceDataCodec.Serialize(catalog.ReferenceSetFor(store.StoreId));
        await engine.ApplyReferenceDataAsync(reference, ReferenceDataCodec.VersionOf(reference), cancellationToken).ConfigureAwait(false);

        var container = new BlobContainerClient(azurite.ConnectionString, "fresh-" + Guid.NewGuid().ToString("N")[..12]);
        await container.CreateAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        using var streamLake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake-eventhubs")), TimeProvider.System);
        using var routedLake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake-routed")), TimeProvider.System);
        var processor = new BronzeEventProcessor(new BlobCheckpointStore(container), new EventHubsSourceOptions(), hub.EventHubsConnectionString(), streamLake,
            NullLoggerFactory.Instance);
        await using (processor.ConfigureAwait(false))
        {
            using var landed = new SemaphoreSlim(0, 1);
            processor.Landed += _ =>
            {
                if (landed.CurrentCount == 0)
                {
                    landed.Release();
                }
            };
            await processor.StartProcessingAsync(cancellationToken).ConfigureAwait(false);
            var streamPipeline = new LakehousePipeline(streamLake, source: null);
            var routedPipeline = new LakehousePipeline(routedLake, new FolderTelemetrySource(temp.Combine("routing")));
            var streamLoop = Task.Run(() => LoopAsync(streamPipeline, () => landed.WaitAsync(TimeSpan.FromSeconds(5), stop.Token), stop.Token), cancellationToken);
            var routedLoop = Task.Run(() => LoopAsync(routedPipeline, () => Task.Delay(RoutedPoll, stop.Token), stop.Token), cancellationToken);

            Console.WriteLine($"freshness '{name}': hub, gateway, Event Hubs processor and routed-file processor running; posting {count} baskets at {perSecond:F1}/s");
            // post at a live rate: one basket, one unit of an item (round robin), ts = now
            var clock = Stopwatch.StartNew();
            var posted = new double[count];
            var expectedUnits = new int[count];
            var itemOf = new long[count];
            var perItem = new Dictionary<long, int>();
            var streamVisible = Observe(streamLake, itemOf, expectedUnits, posted, clock, stop.Token);
            var routedVisible = Observe(routedLake, itemOf, expectedUnits, posted, clock, stop.Token);
            for (var i = 0; i < count; i++)
            {
                var due = TimeSpan.FromSeconds(i / perSecond) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, cancellationToken).ConfigureAwait(false);
                }
                var item = items[i % items.Count];
                itemOf[i] = item.ItemId;
                expectedUnits[i] = perItem[item.ItemId] = perItem.GetValueOrDefault(item.ItemId) + 1;
                var basket = new BasketEvent
                {
                    Id = $"fresh-{name}-{i}",
                    StoreId = store.StoreId,
                    Ts = DateTimeOffset.UtcNow,
                    LaneId = "L01",
                    Channel = Channels.Store,
                    Lines = [new BasketLine(item.ItemId, 1, item.UnitPrice)],
                };
                Volatile.Write(ref posted[i], clock.Elapsed.TotalSeconds);
                var outcome = await engine.IngestAsync(StoreEventJson.Serialize(basket), IngestSources.Http, cancellationToken).ConfigureAwait(false);
                if (outcome.Status != IngestStatus.Accepted)
                {
                    throw new InvalidOperationException($"event {i} not accepted: {outcome.Status} {outcome.Reason}");
                }
            }
            var stream = await streamVisible.ConfigureAwait(false);
            var routed = await routedVisible.ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(engineLoop, uplinkLoop, streamLoop, routedLoop).ConfigureAwait(false);
            await processor.StopProcessingAsync(CancellationToken.None).ConfigureAwait(false);

            Console.WriteLine($"freshness, gateway settings '{name}' (window {settings.Window.TotalSeconds:F0} s, seal grace {settings.SealGrace.TotalSeconds:F0} s, send interval {settings.SendInterval.TotalSeconds:F0} s): {count} baskets at {perSecond:F1}/s");
            Console.WriteLine($"  Event Hubs source : {Summary(stream)}");
            Console.WriteLine($"  routed files      : {Summary(routed)} (routing every {RoutingInterval.TotalSeconds:F0} s, processor poll {RoutedPoll.TotalSeconds:F0} s)");
            Console.WriteLine($"  ratio p95 routed / Event Hubs: {Percentile(routed, 0.95) / Percentile(stream, 0.95):F1}x");
        }
    }

    private static async Task LoopAsync(LakehousePipeline pipeline, Func<Task> wait, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await wait().ConfigureAwait(false);
                await pipeline.RunCycleAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Polls gold.sales_per_minute until every posted event is visible; each event's latency in seconds.</summary>
    private static async Task<double[]> Observe(LakeContext lake, long[] itemOf, int[] expectedUnits, double[] posted, Stopwatch clock, CancellationToken stop)
    {
        var latency = Enumerable.Repeat(double.NaN, posted.Length).ToArray();
        var deadline = TimeSpan.FromMinutes(10);
        var table = lake.Table(LakeTables.SalesPerMinute);
        while (latency.Any(double.IsNaN))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(posted.Length) + deadline)
            {
                throw new TimeoutException($"{latency.Count(double.IsNaN)} events never became visible in {lake.Stores}");
            }
            await Task.Delay(250, stop).ConfigureAwait(false);
            var snapshot = await table.TryLoadAsync(stop).ConfigureAwait(false);
            if (snapshot is null)
            {
                continue;
            }
            var seenAt = clock.Elapsed.TotalSeconds;
            var units = new Dictionary<long, decimal>();
            using (var connection = lake.Connect())
            {
                var sql = await table.SelectSqlAsync(snapshot.Files, stop).ConfigureAwait(false);
                using var result = connection.Query($"SELECT item_id, sum(units) FROM ({sql}) GROUP BY item_id");
                while (result.Read())
                {
                    units[result.GetInt64(0)] = result.GetDecimal(1);
                }
            }
            for (var i = 0; i < posted.Length; i++)
            {
                var at = Volatile.Read(ref posted[i]);
                if (double.IsNaN(latency[i]) && at > 0 && expectedUnits[i] > 0 && units.GetValueOrDefault(itemOf[i]) >= expectedUnits[i])
                {
                    latency[i] = seenAt - at;
                }
            }
        }
        return latency;
    }

    private static double Percentile(double[] values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
    }

    private static string Summary(double[] latency) =>
        string.Create(CultureInfo.InvariantCulture, $"p50 {Percentile(latency, 0.5):F1} s, p95 {Percentile(latency, 0.95):F1} s, max {latency.Max():F1} s");
}
