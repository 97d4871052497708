using Azure.Storage.Blobs;
using RetailEdge.Delta.Storage;
using RetailEdge.EventHubsSource;
using RetailEdge.EventHubsSource.Tests;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;
using RetailEdge.Lakehouse.Tests;
using RetailEdge.Testing;
using Xunit.Abstractions;

namespace RetailEdge.Processor.Tests;

/// <summary>
/// Acceptance (issue 14): two processor processes read one hub's Event Hubs-compatible endpoint (the
/// emulator) into one lake, sharing the partitions through one checkpoint store (Azurite); while the
/// stores' messages arrive, one of them is SIGKILLed at a random moment and restarted, again and
/// again. Bronze then holds each device message exactly once, and gold equals the single-process
/// run of the same messages. 6 kills here, 20 with RETAILEDGE_SOAK=1.
/// </summary>
[Trait("Category", "Fault")]
public sealed class EventHubsProcessorCrashTests(ITestOutputHelper output)
{
    private static readonly int Kills = Soak.Scale(6, 20);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(240);

    [Fact]
    public async Task TwoProcesses_OneKilledRepeatedly_BronzeHoldsEachMessageOnceAndGoldEqualsSingleRun()
    {
        using var temp = new TempDirectory("eh-kill");
        var scenario = LakeScenario.Create(temp.Path, stores: 3, TimeSpan.FromDays(1), "default", seed: 11, replayEvery: 10);
        using (var reference = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake-a")), TimeProvider.System))
        {
            await new LakehousePipeline(reference, new FolderTelemetrySource(scenario.Source)).RunUntilIdleAsync(CancellationToken.None);
        }
        var messages = new Queue<Lakehouse.RoutedRecord>(HubFeed.ReadMessages(scenario.Source));
        var sent = messages.Count;
        await using var azurite = await AzuriteServer.StartAsync();
        var container = new BlobContainerClient(azurite.ConnectionString, "checkpoints");
        await container.CreateAsync();
        await using var hub = await HubFeed.StartAsync(temp.Combine("hub"));
        var environment = new Dictionary<string, string>
        {
            ["RETAILEDGE_SOURCE"] = "eventhubs",
            [ProcessorOptions.EventHubsConnectionStringVariable] = hub.Emulator.EventHubsConnectionString(),
            [ProcessorOptions.CheckpointStoreVariable] = azurite.BlobEndpoint + "/checkpoints",
            [LakeLocations.CheckpointStoreConnectionStringVariable] = azurite.ConnectionString,
            ["RETAILEDGE_LAKE"] = temp.Combine("lake-b"),
            ["RETAILEDGE_POLL_SECONDS"] = "2",
            ["RETAILEDGE_EVENTHUBS_MAX_BATCH_MS"] = "200",
            ["RETAILEDGE_EVENTHUBS_LOAD_BALANCING_SECONDS"] = "1",
            ["RETAILEDGE_EVENTHUBS_OWNERSHIP_EXPIRY_SECONDS"] = "4",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var processes = new[] { Start(environment), Start(environment) };
        try
        {
            async Task SendAsync(int count)
            {
                for (var i = 0; i < count && messages.Count > 0; i++)
                {
                    await hub.SendAsync(messages.Dequeue(), CancellationToken.None);
                }
            }
            await SendAsync(sent / 10);
            // both instances own part of the four partitions
            var store = new BlobCheckpointStore(container);
            var owners = await WaitForAsync(async () =>
            {
                var owned = (await store.ListOwnershipAsync(hub.Emulator.EventHubsEndPoint.Address.ToString(), "retailhub", "$Default", CancellationToken.None)).ToList();
                return owned.Count == 4 ? owned.Select(o => o.OwnerIdentifier).Distinct().Count() : 0;
            }, n => n == 2, "distinct owners of the four partitions", processes);
            output.WriteLine($"{owners} instances own the partitions");

            var random = new Random(20261205);
            for (var kill = 0; kill < Kills; kill++)
            {
                // spread the messages over the kills, keeping some back for after them
                await SendAsync(Math.Max(1, messages.Count / (2 * (Kills - kill))));
                var victim = random.Next(2);
                var life = TimeSpan.FromMilliseconds(300 + random.NextDouble() * 3000);
                await Task.Delay(life);
                Assert.False(processes[victim].HasExited, "a processor exited by itself:\n" + processes[victim].Output);
                processes[victim].Kill();
                await processes[victim].DisposeAsync();
                output.WriteLine($"kill {kill + 1}: instance {victim} after {life.TotalMilliseconds:F0} ms, {messages.Count} messages still to send");
                processes[victim] = Start(environment);
            }
            await SendAsync(messages.Count);

            using var a = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake-a")), TimeProvider.System);
            using var b = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake-b")), TimeProvider.System);
            await WaitForAsync(async () =>
            {
                var snapshot = await b.Table(LakeTables.BronzeTelemetry).TryLoadAsync(CancellationToken.None);
                return snapshot?.Files.Sum(f => f.ParsedStats?.NumRecords ?? 0) ?? 0;
            }, n => n >= sent, "bronze rows", processes);
            // refine and build catch up: gold equal to the single-process run
            await WaitForAsync(async () => await GoldDifferenceAsync(a, b) is null ? 1 : 0, n => n == 1, "gold equal to the single run", processes);

            using var connection = b.Connect();
            await LakeAssertions.ViewAsync(b, connection, LakeTables.BronzeTelemetry, "b_bronze");
            Assert.Equal(sent, LakeAssertions.Count(connection, "SELECT * FROM b_bronze"));
            Assert.Equal(sent, LakeAssertions.Count(connection, "SELECT DISTINCT partition_id, sequence_number FROM b_bronze"));
            await LakeAssertions.ViewAsync(b, connection, LakeTables.Batch, "b_batch");
            Assert.Equal(scenario.Batches, LakeAssertions.Count(connection, "SELECT * FROM b_batch"));
            Assert.Null(await GoldDifferenceAsync(a, b));
        }
        finally
        {
            foreach (var process in processes)
            {
                output.WriteLine(process.Output);
                await process.DisposeAsync();
            }
        }
    }

    private static async Task<string?> GoldDifferenceAsync(LakeContext expected, LakeContext actual)
    {
        using var connection = actual.Connect();
        foreach (var table in LakeTables.GoldTables)
        {
            if (!await LakeAssertions.ViewAsync(actual, connection, table, "b_" + table.Name))
            {
                return table.FullName + " missing";
            }
            await LakeAssertions.ViewAsync(expected, connection, table, "a_" + table.Name);
            if (LakeAssertions.Difference(connection, "b_" + table.Name, "a_" + table.Name) is { } difference)
            {
                return difference;
            }
        }
        return null;
    }

    private static async Task<long> WaitForAsync(Func<Task<long>> probe, Func<long, bool> done, string what, ManagedProcess[] processes)
    {
        var until = DateTime.UtcNow + Patience;
        long value;
        while (!done(value = await probe()))
        {
            Assert.True(DateTime.UtcNow < until, $"{what}: {value} after {Patience.TotalSeconds} s\n" + string.Join("\n---\n", processes.Select(p => p.Output)));
            await Task.Delay(250);
        }
        return value;
    }

    private static ManagedProcess Start(IReadOnlyDictionary<string, string> environment) => ProcessorProcess.Start(environment);
}
