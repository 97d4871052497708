using System.Text;
using RetailEdge.Aggregation;
using RetailEdge.Contracts.Reference;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Contracts.Twin;
using RetailEdge.Contracts.Validation;
using RetailEdge.Lakehouse;
using RetailEdge.Simulator;

namespace RetailEdge.Lakehouse.Tests;

/// <summary>
/// Test data: a simulated run of several stores through the gateway's aggregation library, written
/// as IoT Hub routed files (hourly files per routing partition, some batches replayed later, one
/// empty file), the simulator's valid events as JSONL, and the reference CSVs.
/// </summary>
internal sealed class LakeScenario
{
    private LakeScenario(string source, string eventsFile, string referenceFolder, int batches, int replays)
    {
        Source = source;
        EventsFile = eventsFile;
        ReferenceFolder = referenceFolder;
        Batches = batches;
        Replays = replays;
    }

    public string Source { get; }

    public string EventsFile { get; }

    public string ReferenceFolder { get; }

    public int Batches { get; }

    public int Replays { get; }

    public static LakeScenario Create(string root, int stores, TimeSpan duration, string faults, int seed, int replayEvery = 25)
    {
        var simulator = new StoreSimulator(new SimulationOptions
        {
            Profile = "small",
            Stores = stores,
            Duration = duration,
            Seed = seed,
            Faults = FaultSettings.FromName(faults),
        });
        var events = simulator.Generate().ToList();
        var catalog = simulator.Catalog;
        var eventsFile = Path.Combine(root, "events.jsonl");
        using (var writer = new FileStream(eventsFile, FileMode.Create))
        {
            foreach (var e in events.Where(e => e.ShouldBeAccepted && e.Event is not null))
            {
                writer.Write(e.Json);
                writer.WriteByte((byte)'\n');
            }
        }
        var referenceFolder = Path.Combine(root, "reference");
        Directory.CreateDirectory(referenceFolder);
        File.WriteAllText(Path.Combine(referenceFolder, ReferenceCsv.StoreFile), ReferenceCsv.FormatStores(catalog.Stores));
        File.WriteAllText(Path.Combine(referenceFolder, ReferenceCsv.ItemFile), ReferenceCsv.FormatItems(catalog.Items));
        File.WriteAllText(Path.Combine(referenceFolder, ReferenceCsv.ChangeTypeFile), ReferenceCsv.FormatChangeTypes(catalog.ChangeTypes));
        var files = new SortedDictionary<string, List<(DateTimeOffset, byte[])>>(StringComparer.Ordinal);
        void Route(TelemetryBatch batch, DateTimeOffset enqueued)
        {
            var hourStart = new DateTimeOffset(enqueued.UtcDateTime.Date.AddHours(enqueued.UtcDateTime.Hour), TimeSpan.Zero);
            var name = RoutedRecordWriter.BlobName("retailhub", batch.StoreId % 2, hourStart) + ".json";
            if (!files.TryGetValue(name, out var lines))
            {
                files[name] = lines = [];
            }
            lines.Add((enqueued, RoutedRecordWriter.Format(batch, batch.Gateway, batch.Module, enqueued, gzip: batch.Seq % 5 != 0)));
        }
        int batches = 0, replays = 0;
        for (var store = 1; store <= stores; store++)
        {
            var storeId = store;
            var options = new AggregatorOptions
            {
                StoreId = storeId,
                Gateway = SimulationCatalog.DeviceIdOf(storeId),
                Settings = GatewaySettings.Default with { SendInterval = TimeSpan.FromMinutes(10) },
            };
            var validator = new EventValidator(new EventValidationOptions { ExpectedStoreId = storeId, KnownItems = catalog.ItemIdsOf(storeId) });
            var result = TelemetryPipeline.RunRaw(
                events.Where(e => e.StoreId == storeId).Select(e => ((ReadOnlyMemory<byte>)e.Json, e.ArrivalTime)),
                options, validator, new ReferenceCatalog(catalog.ReferenceSetFor(storeId), "v1"));
            foreach (var batch in result.Batches)
            {
                var enqueued = batch.CreatedAt.ToUniversalTime().AddSeconds(1);
                Route(batch, enqueued);
                batches++;
                if (batch.Seq % replayEvery == 3)
                {
                    // a gateway resend after a reconnect: same seq, hours later, in another file
                    Route(batch, enqueued.AddHours(3));
                    replays++;
                }
            }
        }
        var source = Path.Combine(root, "routed");
        foreach (var (name, lines) in files)
        {
            var path = Path.Combine(source, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var stream = new FileStream(path, FileMode.Create);
            foreach (var (_, line) in lines.OrderBy(l => l.Item1))
            {
                stream.Write(line);
            }
        }
        // IoT Hub writes empty files when a partition had nothing in a batch interval
        var empty = Path.Combine(source, "retailhub", "01", "2026", "11", "01", "00", "00.json");
        Directory.CreateDirectory(Path.GetDirectoryName(empty)!);
        File.WriteAllBytes(empty, []);
        return new LakeScenario(source, eventsFile, referenceFolder, batches, replays);
    }

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
