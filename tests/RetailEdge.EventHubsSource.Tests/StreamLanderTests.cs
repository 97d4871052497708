using DuckDB.NET.Data;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Delta.Actions;
using RetailEdge.Delta.Storage;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Tests;
using RetailEdge.Testing;

namespace RetailEdge.EventHubsSource.Tests;

/// <summary>Exactly-once into bronze from a stream, on a real folder lake and DuckDB.</summary>
public sealed class StreamLanderTests
{
    private const string Stream = "eventhubs/retailhub/$Default";

    [Fact]
    public async Task LandAsync_ReplayedAndRacingBatches_EachEventOnceAndLakeEqualsRoutedRun()
    {
        using var temp = new TempDirectory("stream-lander");
        var scenario = LakeScenario.Create(temp.Path, stores: 2, TimeSpan.FromDays(1), "default", seed: 7, replayEvery: 10);
        using (var routed = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake-routed")), TimeProvider.System))
        {
            await new LakehousePipeline(routed, new FolderTelemetrySource(scenario.Source)).RunUntilIdleAsync(CancellationToken.None);
        }
        var partitions = StreamedScenario.FromRoutedFiles(scenario.Source, 4);
        var total = partitions.Values.Sum(p => p.Count);

        // two instances on one lake; every partition is read by both (a hand-over, or a checkpoint that lagged),
        // each in random chunks that often start before what was already landed
        using (var first = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake-stream")), TimeProvider.System))
        using (var second = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake-stream")), TimeProvider.System))
        {
            async Task ReadAsync(LakeContext lake, int seed)
            {
                var lander = new StreamLander(lake, Stream, "eventhubs/retailhub", NullLogger<StreamLander>.Instance);
                var random = new Random(seed);
                var positions = partitions.Keys.ToDictionary(p => p, _ => 0);
                while (positions.Any(p => p.Value < partitions[p.Key].Count))
                {
                    var batch = new List<StreamedEvent>();
                    foreach (var (partition, events) in partitions)
                    {
                        var start = Math.Max(0, positions[partition] - random.Next(0, 40));
                        var end = Math.Min(events.Count, positions[partition] + random.Next(1, 60));
                        batch.AddRange(events.Skip(start).Take(end - start));
                        positions[partition] = Math.Max(positions[partition], end);
                    }
                    await lander.LandAsync(batch, CancellationToken.None);
                }
            }
            await Task.WhenAll(Task.Run(() => ReadAsync(first, 1)), Task.Run(() => ReadAsync(second, 2)));
            await new LakehousePipeline(first, source: null).RunUntilIdleAsync(CancellationToken.None);
        }

        using var a = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake-routed")), TimeProvider.System);
        using var b = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake-stream")), TimeProvider.System);
        using var connection = b.Connect();
        await LakeAssertions.ViewAsync(b, connection, LakeTables.BronzeTelemetry, "b_bronze");
        Assert.Equal(total, LakeAssertions.Count(connection, "SELECT * FROM b_bronze"));
        Assert.Equal(total, LakeAssertions.Count(connection, "SELECT DISTINCT partition_id, sequence_number FROM b_bronze"));
        Assert.Equal(0, LakeAssertions.Count(connection, "SELECT * FROM b_bronze WHERE source_line <> sequence_number OR source_file <> 'eventhubs/retailhub/' || partition_id OR partition_offset IS NULL"));
        var snapshot = await b.Table(LakeTables.BronzeTelemetry).TryLoadAsync(CancellationToken.None);
        foreach (var (partition, events) in partitions)
        {
            Assert.Equal(events.Count - 1, snapshot!.TransactionVersion(Stream + "/" + partition));
        }
        await LakeAssertions.ViewAsync(b, connection, LakeTables.Batch, "b_batch");
        Assert.Equal(scenario.Batches, LakeAssertions.Count(connection, "SELECT * FROM b_batch"));
        foreach (var table in LakeTables.SilverTables.Concat(LakeTables.GoldTables))
        {
            Assert.True(await LakeAssertions.ViewAsync(a, connection, table, "a_" + table.Name));
            Assert.True(await LakeAssertions.ViewAsync(b, connection, table, "b_" + table.Name));
            // lineage differs by design (a routed file and line, or a partition and sequence number)
            var lineage = table.Columns.Any(c => c.Name == "source_file") ? " EXCLUDE (source_file, source_line)" : string.Empty;
            Assert.Null(LakeAssertions.Difference(connection, $"(SELECT *{lineage} FROM b_{table.Name})", $"(SELECT *{lineage} FROM a_{table.Name})"));
        }
    }

    [Fact]
    public async Task LandAsync_EventsAtOrBelowLandedSequence_Skipped()
    {
        using var temp = new TempDirectory("stream-lander-skip");
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake")), TimeProvider.System);
        var lander = new StreamLander(lake, Stream, "eventhubs/retailhub", NullLogger<StreamLander>.Instance);

        var first = await lander.LandAsync([Event("0", 0), Event("0", 1), Event("1", 0)], CancellationToken.None);
        var replay = await lander.LandAsync([Event("0", 1), Event("0", 2), Event("1", 0)], CancellationToken.None);
        var nothingNew = await lander.LandAsync([Event("0", 2)], CancellationToken.None);

        Assert.Equal((3, 0), (first.Landed, first.AlreadyLanded));
        Assert.Equal((1, 2), (replay.Landed, replay.AlreadyLanded));
        Assert.Equal((0, 1, (long?)null), (nothingNew.Landed, nothingNew.AlreadyLanded, nothingNew.Version));
        Assert.Equal(2, await lander.LandedThroughAsync("0", CancellationToken.None));
        Assert.Equal(0, await lander.LandedThroughAsync("1", CancellationToken.None));
        Assert.Null(await lander.LandedThroughAsync("2", CancellationToken.None));
    }

    [Theory]
    [InlineData("../0")]
    [InlineData("0 1")]
    [InlineData("")]
    public async Task LandAsync_PartitionIdNotAToken_Refused(string partition)
    {
        using var temp = new TempDirectory("stream-lander-bad");
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake")), TimeProvider.System);
        var lander = new StreamLander(lake, Stream, "eventhubs/retailhub", NullLogger<StreamLander>.Instance);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => lander.LandAsync([Event(partition, 0)], CancellationToken.None));
        Assert.Null(await lake.Table(LakeTables.BronzeTelemetry).TryLoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task LandAsync_EventWithoutDevice_LandedAndQuarantinedWithReason()
    {
        using var temp = new TempDirectory("stream-lander-nodevice");
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake")), TimeProvider.System);
        var lander = new StreamLander(lake, Stream, "eventhubs/retailhub", NullLogger<StreamLander>.Instance);

        await lander.LandAsync([Event("0", 0) with { DeviceId = null, Body = "not from a hub"u8.ToArray() }], CancellationToken.None);
        await new LakehousePipeline(lake, source: null).RunUntilIdleAsync(CancellationToken.None);

        using var connection = lake.Connect();
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.Quarantine, "quarantine");
        Assert.Equal(("missing_device", "not from a hub"),
            (connection.Scalar<string>("SELECT reason FROM quarantine"), connection.Scalar<string>("SELECT decode(raw) FROM quarantine")));
    }

    [Fact]
    public async Task Bronze_WrittenBeforeThePositionColumns_GainsThemAndOldRowsReadNull()
    {
        using var temp = new TempDirectory("bronze-evolution");
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake")), TimeProvider.System);
        // a lake as the processor wrote it before bronze had partition_id, partition_offset, sequence_number
        var current = LakeTables.BronzeTelemetry;
        var old = current with { Columns = [.. current.Columns.Where(c => c.Name is not ("partition_id" or "partition_offset" or "sequence_number"))] };
        var oldTable = new LakeTable(old, lake.Stores.Open(old.RelativePath), lake.Checkpoints, TimeProvider.System, lake.ScratchDirectory);
        using (var connection = lake.Connect())
        {
            await oldTable.WriteAsync(connection, null,
                "SELECT TIMESTAMPTZ '2026-11-20 08:00:00+00' AS enqueued_time, now() AS ingest_time, 'store001-gw' AS device_id, 'StoreGateway' AS module_id, "
                + "'m-old' AS message_id, 'application/json' AS content_type, 'utf-8' AS content_encoding, '{}' AS properties, 'old'::BLOB AS body, "
                + "'retailhub/00/2026/11/20/08/00.json' AS source_file, 1::BIGINT AS source_line, DATE '2026-11-20' AS ingest_date",
                LakeWriteMode.Append, null, [], null, "WRITE", CancellationToken.None);
        }

        var lander = new StreamLander(lake, Stream, "eventhubs/retailhub", NullLogger<StreamLander>.Instance);
        await lander.LandAsync([Event("3", 41)], CancellationToken.None);

        var bronze = lake.Table(current);
        var snapshot = await bronze.TryLoadAsync(CancellationToken.None);
        Assert.Equal(current.ToDeltaSchema().Fields.Select(f => f.Name), snapshot!.Schema.Fields.Select(f => f.Name));
        Assert.Contains((await bronze.Reader.ReadCommitAsync(1, CancellationToken.None)).OfType<MetadataAction>(), m => m.Id == snapshot.Metadata.Id);
        using var read = lake.Connect();
        await bronze.CreateViewAsync(read, "bronze", snapshot.Files, CancellationToken.None);
        Assert.Equal(["m-old|||", "m-3-41|3|20992|41"], Rows(read, "SELECT message_id || '|' || coalesce(partition_id, '') || '|' || coalesce(partition_offset, '') || '|' || coalesce(CAST(sequence_number AS VARCHAR), '') FROM bronze ORDER BY 1 DESC"));
    }

    private static List<string> Rows(DuckDBConnection connection, string sql)
    {
        using var result = connection.Query(sql);
        var rows = new List<string>();
        while (result.Read())
        {
            rows.Add(result.GetString(0));
        }
        return rows;
    }

    private static StreamedEvent Event(string partition, long sequence) =>
        new(partition, sequence, (sequence * 512).ToString(System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow, "store001-gw", "StoreGateway",
            $"m-{partition}-{sequence}", "application/json", "utf-8", "{}", "{}"u8.ToArray());
}
