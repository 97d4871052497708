using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Delta.Storage;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Tests;
using RetailEdge.Testing;

namespace RetailEdge.EventHubsSource.Tests;

/// <summary>
/// The processor against the emulator's Event Hubs-compatible endpoint (real AMQP on 127.0.0.1),
/// checkpoints in a real Azurite, the lake in a folder with real DuckDB: what modules sent lands in
/// bronze once, checkpoints follow bronze, gold equals the routed-file run, and a restart lands only new events.
/// </summary>
public sealed class BronzeEventProcessorTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Processor_ModuleMessagesThroughTheHub_LandedOnceAndLakeEqualsRoutedRun()
    {
        using var temp = new TempDirectory("eh-processor");
        var scenario = LakeScenario.Create(temp.Path, stores: 2, TimeSpan.FromHours(8), "default", seed: 3, replayEvery: 10);
        var messages = HubFeed.ReadMessages(scenario.Source);
        await using var azurite = await AzuriteServer.StartAsync();
        var container = new BlobContainerClient(azurite.ConnectionString, "checkpoints");
        await container.CreateAsync();
        await using var hub = await HubFeed.StartAsync(temp.Combine("hub"));
        foreach (var message in messages)
        {
            await hub.SendAsync(message, CancellationToken.None);
        }
        var options = new EventHubsSourceOptions
        {
            MaxBatchEvents = 50,
            MaxBatchDelay = TimeSpan.FromMilliseconds(200),
            LoadBalancingInterval = TimeSpan.FromSeconds(1),
            OwnershipExpiration = TimeSpan.FromSeconds(5),
        };

        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake")), TimeProvider.System);
        var processor = new BronzeEventProcessor(new BlobCheckpointStore(container), options, hub.Emulator.EventHubsConnectionString(), lake, NullLoggerFactory.Instance);
        await using (processor)
        {
            await processor.StartProcessingAsync();
            await WaitForAsync(() => BronzeCountAsync(lake), messages.Count, "bronze rows");
            // the checkpoint of each partition catches up with what bronze holds
            await WaitForAsync(async () => (await CheckpointsAsync(container)).Equals(await LandedThroughAsync(lake)) ? 1 : 0, 1, "checkpoints at bronze's positions");
            await processor.StopProcessingAsync();
        }
        Assert.Equal("retailhub", processor.EventHubName);

        using (var connection = lake.Connect())
        {
            await LakeAssertions.ViewAsync(lake, connection, LakeTables.BronzeTelemetry, "bronze");
            Assert.Equal(messages.Count, LakeAssertions.Count(connection, "SELECT DISTINCT partition_id, sequence_number FROM bronze"));
            // every message as sent: device, module, id, content type and encoding, properties, body
            connection.Execute("CREATE TABLE sent (device_id VARCHAR, module_id VARCHAR, message_id VARCHAR, content_type VARCHAR, content_encoding VARCHAR, body BLOB)");
            using (var appender = connection.CreateAppender("sent"))
            {
                foreach (var m in messages)
                {
                    appender.CreateRow().AppendValue(m.DeviceId).AppendValue(m.ModuleId).AppendValue(m.MessageId).AppendValue(m.ContentType)
                        .AppendValue(m.ContentEncoding).AppendValue(m.Body).EndRow();
                }
            }
            Assert.Null(LakeAssertions.Difference(connection, "(SELECT device_id, module_id, message_id, content_type, content_encoding, body FROM bronze)", "sent"));
            Assert.Equal(0, LakeAssertions.Count(connection, "SELECT * FROM bronze WHERE partition_offset IS NULL OR source_file <> 'eventhubs/retailhub/' || partition_id"));
        }

        // a second instance on the same checkpoints and lake reads only what is new
        var more = messages.Take(5).ToList();
        foreach (var message in more)
        {
            await hub.SendAsync(message, CancellationToken.None);
        }
        var restarted = new BronzeEventProcessor(new BlobCheckpointStore(container), options, hub.Emulator.EventHubsConnectionString(), lake, NullLoggerFactory.Instance);
        await using (restarted)
        {
            await restarted.StartProcessingAsync();
            await WaitForAsync(() => BronzeCountAsync(lake), messages.Count + more.Count, "bronze rows after the restart");
            await restarted.StopProcessingAsync();
        }
        Assert.Equal(messages.Count + more.Count, await BronzeCountAsync(lake));

        // silver and gold from the stream equal the routed run (the five resends are deduplicated by the refiner)
        await new LakehousePipeline(lake, source: null).RunUntilIdleAsync(CancellationToken.None);
        using var routed = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake-routed")), TimeProvider.System);
        await new LakehousePipeline(routed, new FolderTelemetrySource(scenario.Source)).RunUntilIdleAsync(CancellationToken.None);
        using var compare = lake.Connect();
        foreach (var table in LakeTables.GoldTables)
        {
            Assert.True(await LakeAssertions.ViewAsync(lake, compare, table, "b_" + table.Name));
            Assert.True(await LakeAssertions.ViewAsync(routed, compare, table, "a_" + table.Name));
            Assert.Null(LakeAssertions.Difference(compare, "b_" + table.Name, "a_" + table.Name));
        }
    }

    private static async Task<long> BronzeCountAsync(LakeContext lake)
    {
        var snapshot = await lake.Table(LakeTables.BronzeTelemetry).TryLoadAsync(CancellationToken.None);
        return snapshot?.Files.Sum(f => f.ParsedStats?.NumRecords ?? 0) ?? 0;
    }

    private static async Task<string> LandedThroughAsync(LakeContext lake)
    {
        var snapshot = await lake.Table(LakeTables.BronzeTelemetry).TryLoadAsync(CancellationToken.None);
        return string.Join(",", snapshot!.Transactions.Values.Where(t => t.AppId.StartsWith("eventhubs/retailhub/$Default/", StringComparison.Ordinal))
            .OrderBy(t => t.AppId, StringComparer.Ordinal).Select(t => t.AppId[^1..] + "=" + t.Version));
    }

    private static async Task<string> CheckpointsAsync(BlobContainerClient container)
    {
        var positions = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix: null, CancellationToken.None))
        {
            if (blob.Name.Contains("/checkpoint/", StringComparison.Ordinal))
            {
                positions.Add(blob.Name[^1..] + "=" + blob.Metadata["sequencenumber"]);
            }
        }
        return string.Join(",", positions.Order(StringComparer.Ordinal));
    }

    private static async Task WaitForAsync(Func<Task<long>> probe, long expected, string what)
    {
        var until = DateTime.UtcNow + Patience;
        long value;
        while ((value = await probe()) != expected)
        {
            Assert.True(DateTime.UtcNow < until, $"{what}: {value} after {Patience.TotalSeconds} s, expected {expected}");
            await Task.Delay(200);
        }
    }
}
