using System.Diagnostics;
using RetailEdge.Aggregation;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Contracts.Twin;
using RetailEdge.Contracts.Validation;
using RetailEdge.Lakehouse;
using RetailEdge.Simulator;

namespace RetailEdge.Benchmarks.Lakehouse;

/// <summary>
/// Benchmark input: simulated stores run through the gateway's aggregation library, written as
/// IoT Hub routed files (one file per routing partition and enqueue hour).
/// </summary>
internal static class LakehouseBenchData
{
    public sealed record Routed(int Batches, long Records, long Bytes, TimeSpan Elapsed, long MaxSeq, DateTimeOffset LastCreatedAt);

    /// <summary>The telemetry batches of <paramref name="stores"/> simulated stores, store by store, as their gateways would send them.</summary>
    public static IEnumerable<TelemetryBatch> Batches(string profile, int stores, TimeSpan duration, int seed)
    {
        var simulator = new StoreSimulator(new SimulationOptions { Profile = profile, Stores = stores, Duration = duration, Seed = seed });
        var catalog = simulator.Catalog;
        var perStore = new Dictionary<int, List<(ReadOnlyMemory<byte>, DateTimeOffset)>>();
        foreach (var e in simulator.Generate())
        {
            if (!perStore.TryGetValue(e.StoreId, out var list))
            {
                perStore[e.StoreId] = list = [];
            }
            list.Add((e.Json, e.ArrivalTime));
        }
        foreach (var storeId in perStore.Keys.Order().ToList())
        {
            var result = TelemetryPipeline.RunRaw(perStore[storeId],
                new AggregatorOptions { StoreId = storeId, Gateway = SimulationCatalog.DeviceIdOf(storeId), Settings = GatewaySettings.Default },
                new EventValidator(new EventValidationOptions { ExpectedStoreId = storeId, KnownItems = catalog.ItemIdsOf(storeId) }),
                new ReferenceCatalog(catalog.ReferenceSetFor(storeId), "v1"));
            perStore[storeId] = [];
            foreach (var batch in result.Batches)
            {
                yield return batch;
            }
        }
    }

    public static Routed Write(string folder, string profile, int stores, TimeSpan duration, int seed, int partitions = 4)
    {
        var watch = Stopwatch.StartNew();
        var files = new Dictionary<string, FileStream>(StringComparer.Ordinal);
        int batches = 0;
        long bytes = 0, maxSeq = 0;
        var last = DateTimeOffset.MinValue;
        try
        {
            foreach (var batch in Batches(profile, stores, duration, seed))
            {
                var enqueued = batch.CreatedAt.ToUniversalTime().AddSeconds(1);
                var hour = new DateTimeOffset(enqueued.UtcDateTime.Date.AddHours(enqueued.UtcDateTime.Hour), TimeSpan.Zero);
                var name = RoutedRecordWriter.BlobName("benchhub", batch.StoreId % partitions, hour) + ".json";
                if (!files.TryGetValue(name, out var stream))
                {
                    var path = Path.Combine(folder, name);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    files[name] = stream = new FileStream(path, FileMode.Create);
                }
                var line = RoutedRecordWriter.Format(batch, batch.Gateway, batch.Module, enqueued, gzip: true);
                stream.Write(line);
                bytes += line.Length;
                batches++;
                maxSeq = Math.Max(maxSeq, batch.Seq);
                if (batch.CreatedAt > last)
                {
                    last = batch.CreatedAt;
                }
            }
        }
        finally
        {
            foreach (var stream in files.Values)
            {
                stream.Dispose();
            }
        }
        return new Routed(batches, batches, bytes, watch.Elapsed, maxSeq, last);
    }

    /// <summary>One more small batch from store 1 (the "one new batch" of an incremental refresh).</summary>
    public static void WriteOneBatch(string folder, long seq, DateTimeOffset createdAt, int n)
    {
        var window = new DateTimeOffset(createdAt.Year, createdAt.Month, createdAt.Day, createdAt.Hour, createdAt.Minute, 0, createdAt.Offset);
        var batch = new TelemetryBatch
        {
            StoreId = 1,
            Gateway = SimulationCatalog.DeviceIdOf(1),
            Seq = seq,
            CreatedAt = createdAt,
            Items = [new ItemWindowRow(window, SimulationCatalog.FirstItemId + n, ChangeTypesSale, "store", 1, 2, 7.50m, 0)],
            Baskets = [new BasketSummaryRow($"bench-{seq}", window.AddSeconds(5), "lane-1", "store", null, 1, 2, 7.50m)],
            Inventory = [new InventoryPositionRow(SimulationCatalog.FirstItemId + n, window.AddSeconds(5), 40 - n, null, null)],
        };
        var enqueued = createdAt.ToUniversalTime().AddSeconds(1);
        var path = Path.Combine(folder, RoutedRecordWriter.BlobName("benchhub", 1, enqueued) + $"-new{n}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, RoutedRecordWriter.Format(batch, batch.Gateway, batch.Module, enqueued, gzip: true));
    }

    private const string ChangeTypesSale = "sale";
}
