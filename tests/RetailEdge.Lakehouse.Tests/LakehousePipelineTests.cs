using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Contracts.Reference;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Testing;

namespace RetailEdge.Lakehouse.Tests;

public sealed class LakehousePipelineTests
{
    private static readonly DateTimeOffset Enqueued = new(2026, 11, 20, 8, 1, 0, TimeSpan.Zero);

    [Fact]
    public async Task RunUntilIdle_SharedSampleWithReference_LandsAllAndQuarantinesUnknownDeviceAndStoreMismatch()
    {
        using var temp = new TempDirectory("lake-sample");
        var source = temp.Combine("routed", "myhub", "00", "2026", "11", "20", "08");
        Directory.CreateDirectory(source);
        File.Copy(Path.Combine(RepoPaths.Shared, "data", "iothub-routing", "myhub_00_2026_11_20_08_01.json"), Path.Combine(source, "01.json"));
        WriteReference(temp.Combine("reference"), [new StoreReference(17, "Seventeen", "north", "Europe/Berlin", "store017-gw"), new StoreReference(18, "Eighteen", "south", "Europe/Berlin", "store018-gw")]);
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake")), TimeProvider.System);
        await new ReferenceLoader(lake).LoadAsync(temp.Combine("reference"), CancellationToken.None);

        await new LakehousePipeline(lake, new FolderTelemetrySource(temp.Combine("routed")), NullLoggerFactory.Instance).RunUntilIdleAsync(CancellationToken.None);

        using var connection = lake.Connect();
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.BronzeTelemetry, "bronze");
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.Quarantine, "quarantine");
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.Batch, "batches");
        Assert.Equal(3, LakeAssertions.Count(connection, "SELECT * FROM bronze WHERE source_file = 'myhub/00/2026/11/20/08/01.json'"));
        Assert.Equal(1, LakeAssertions.Count(connection, "SELECT * FROM batches WHERE device_id = 'store017-gw' AND seq = 4711 AND store_id = 17"));
        Assert.Equal(1, LakeAssertions.Count(connection, "SELECT * FROM quarantine WHERE reason = 'store_mismatch' AND device_id = 'store018-gw' AND seq = 4711"));
        Assert.Equal(1, LakeAssertions.Count(connection, "SELECT * FROM quarantine WHERE reason = 'unregistered_device' AND device_id = 'legacy-device' AND raw = 'not json at all'::BLOB"));
    }

    [Fact]
    public async Task RunUntilIdle_BadRecordsAmongGoodOnes_QuarantinesEachWithReasonAndKeepsGoing()
    {
        using var temp = new TempDirectory("lake-bad");
        var good = Batch(5, 1);
        var lines = new List<byte[]>
        {
            Encoding.UTF8.GetBytes("{\"EnqueuedTimeUtc\": broken\n"),
            RoutedRecordWriter.Format("store005-gw", "StoreGateway", Enqueued, new Dictionary<string, string>(), "m1", TelemetryMessage.GzipContentType, "gzip", Encoding.UTF8.GetBytes("{\"schema\":\"x\"}")),
            RoutedRecordWriter.Format("store005-gw", "StoreGateway", Enqueued, new Dictionary<string, string>(), "m2", "application/json", "utf-8", Encoding.UTF8.GetBytes("{\"schema\":\"retailedge.telemetry/9\",\"storeId\":5}")),
            RoutedRecordWriter.Format(good, "store005-gw", "StoreGateway", Enqueued, gzip: true),
            RoutedRecordWriter.Format(Batch(5, 2) with { Items = [new ItemWindowRow(Enqueued, 1, "teleport", null, 1, 1, 1, 0)] }, "store005-gw", "StoreGateway", Enqueued, gzip: false),
            RoutedRecordWriter.Format(Batch(5, 4), "store005-gw", "StoreGateway", Enqueued, gzip: false),
        };
        var file = temp.Combine("routed", "hub", "01", "2026", "11", "20", "08", "01.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, [.. lines.SelectMany(l => l)]);
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake")), TimeProvider.System);

        await new LakehousePipeline(lake, new FolderTelemetrySource(temp.Combine("routed")), NullLoggerFactory.Instance).RunUntilIdleAsync(CancellationToken.None);

        using var connection = lake.Connect();
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.BronzeTelemetry, "bronze");
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.Quarantine, "quarantine");
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.Batch, "batches");
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.ItemWindow, "items");
        Assert.Equal(6, LakeAssertions.Count(connection, "SELECT * FROM bronze"));
        Assert.Equal(1, LakeAssertions.Count(connection, "SELECT * FROM quarantine WHERE reason = 'malformed_record' AND raw = '{\"EnqueuedTimeUtc\": broken'::BLOB"));
        Assert.Equal(1, LakeAssertions.Count(connection, "SELECT * FROM quarantine WHERE reason = 'not_gzip' AND message_id = 'm1'"));
        Assert.Equal(1, LakeAssertions.Count(connection, "SELECT * FROM quarantine WHERE reason = 'unknown_schema' AND message_id = 'm2'"));
        Assert.Equal(1, LakeAssertions.Count(connection, "SELECT * FROM quarantine WHERE reason = 'invalid_row:items' AND seq = 2"));
        Assert.Equal(4, LakeAssertions.Count(connection, "SELECT * FROM quarantine"));
        Assert.Equal(2, LakeAssertions.Count(connection, "SELECT * FROM batches"));
        Assert.Equal(1, LakeAssertions.Count(connection, "SELECT * FROM batches WHERE seq = 4 AND gap_before = 2"));
        Assert.Equal(2, LakeAssertions.Count(connection, "SELECT * FROM items WHERE store_id = 5 AND qty = 3 AND amount = 5.97"));
    }

    [Fact]
    public async Task RunUntilIdle_SameFilesTwiceAndNewLateFile_LandsEachFileOnce()
    {
        using var temp = new TempDirectory("lake-once");
        var routed = temp.Combine("routed");
        void Write(string name, TelemetryBatch batch)
        {
            var path = Path.Combine(routed, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, RoutedRecordWriter.Format(batch, batch.Gateway, batch.Module, Enqueued, gzip: true));
        }
        Write("hub/00/2026/11/20/08/05.json", Batch(5, 1));
        Directory.CreateDirectory(Path.Combine(routed, "hub", "00", "2026", "11", "20", "08"));
        File.WriteAllBytes(Path.Combine(routed, "hub", "00", "2026", "11", "20", "08", "06.json"), []);
        File.WriteAllBytes(Path.Combine(routed, "hub", "00", "2026", "11", "20", "08", ".07.json.123.tmp"), [1, 2, 3]);
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake")), TimeProvider.System);
        var pipeline = new LakehousePipeline(lake, new FolderTelemetrySource(routed), NullLoggerFactory.Instance);

        await pipeline.RunUntilIdleAsync(CancellationToken.None);
        await pipeline.RunUntilIdleAsync(CancellationToken.None);
        Write("hub/00/2026/11/20/07/59.json", Batch(5, 2)); // a late file in an older folder
        var cycle = await pipeline.RunCycleAsync(CancellationToken.None);

        Assert.Equal(1, cycle.Land.Files);
        Assert.Equal(1, cycle.Refine.Batches);
        using var connection = lake.Connect();
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.BronzeTelemetry, "bronze");
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.Batch, "batches");
        Assert.Equal(2, LakeAssertions.Count(connection, "SELECT * FROM bronze"));
        Assert.Equal(2, LakeAssertions.Count(connection, "SELECT * FROM batches"));
        var landed = (await LandedSources.ReadAsync(lake, lake.Table(LakeTables.BronzeTelemetry), await lake.Table(LakeTables.BronzeTelemetry).TryLoadAsync(CancellationToken.None), CancellationToken.None)).Names;
        Assert.Equal(["hub/00/2026/11/20/07/59.json", "hub/00/2026/11/20/08/05.json", "hub/00/2026/11/20/08/06.json"], landed.Order(StringComparer.Ordinal));
    }

    private static TelemetryBatch Batch(int store, long seq) => new()
    {
        StoreId = store,
        Gateway = $"store{store:D3}-gw",
        Seq = seq,
        CreatedAt = new DateTimeOffset(2026, 11, 20, 9, 1, 0, TimeSpan.FromHours(1)),
        Items = [new ItemWindowRow(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.FromHours(1)), 1001, "sale", "store", 2, 3, 5.97m, 0)],
    };

    private static void WriteReference(string folder, IReadOnlyList<StoreReference> stores)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, ReferenceCsv.StoreFile), ReferenceCsv.FormatStores(stores));
        File.WriteAllText(Path.Combine(folder, ReferenceCsv.ItemFile), ReferenceCsv.FormatItems([new ItemReference(1001, "Apples", "produce", 1, 5, "kg", 1.99m, 1.20m)]));
        File.WriteAllText(Path.Combine(folder, ReferenceCsv.ChangeTypeFile), ReferenceCsv.FormatChangeTypes([new ChangeTypeReference(1, "sale")]));
    }
}
