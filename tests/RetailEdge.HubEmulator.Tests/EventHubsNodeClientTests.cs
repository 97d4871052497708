using System.Text.Json.Nodes;
using RetailEdge.Testing;

namespace RetailEdge.HubEmulator.Tests;

/// <summary>
/// The built-in endpoint read by Microsoft's Event Hubs SDK for JavaScript (@azure/event-hubs
/// 6.0.4, on rhea): an independent AMQP 1.0 stack, with its own SAS signing, filters and
/// EventHubConsumerClient.subscribe across all partitions.
/// </summary>
public class EventHubsNodeClientTests
{
    private const string SubscribeScript = """
        const { EventHubConsumerClient, earliestEventPosition } = require('@azure/event-hubs');
        const [connectionString, expectedText] = process.argv.slice(2);
        const expected = Number(expectedText);
        (async () => {
          const client = new EventHubConsumerClient('$Default', connectionString);
          const ids = await client.getPartitionIds();
          console.log(JSON.stringify({ partitionIds: ids }));
          let count = 0;
          await new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('only ' + count + ' events within 60 s')), 60000);
            const subscription = client.subscribe({
              processEvents: async (events, context) => {
                for (const e of events) {
                  count++;
                  console.log(JSON.stringify({
                    partition: context.partitionId, sequenceNumber: e.sequenceNumber, offset: String(e.offset), messageId: e.messageId,
                    contentType: e.contentType, deviceId: e.systemProperties['iothub-connection-device-id'],
                    moduleId: e.systemProperties['iothub-connection-module-id'], hubEnqueued: new Date(e.systemProperties['iothub-enqueuedtime']).getTime(),
                    enqueued: e.enqueuedTimeUtc.getTime(), body: Buffer.isBuffer(e.body) ? e.body.toString() : JSON.stringify(e.body),
                    storeId: e.properties && e.properties.storeId }));
                }
                if (count >= expected) { clearTimeout(timer); await subscription.close(); resolve(); }
              },
              processError: async (error, context) => { console.log(JSON.stringify({ error: String(error && error.message), partition: context.partitionId })); },
            }, { startPosition: earliestEventPosition, maxBatchSize: 20, maxWaitTimeInSeconds: 1 });
          });
          await client.close();
        })().catch(e => { console.error(String(e && e.stack || e), JSON.stringify((e && e.errors || []).map(x => String(x && x.message || x)))); process.exit(1); });
        """;

    private const string ReadFromScript = """
        const { EventHubConsumerClient } = require('@azure/event-hubs');
        const [connectionString, partitionId, kind, value, inclusive] = process.argv.slice(2);
        (async () => {
          const client = new EventHubConsumerClient('$Default', connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 20000 } });
          try {
            const position = kind === 'sequence' ? { sequenceNumber: Number(value), isInclusive: inclusive === 'true' }
              : kind === 'offset' ? { offset: value, isInclusive: inclusive === 'true' }
              : { enqueuedOn: new Date(Number(value)) };
            const first = await new Promise((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error('no event within 30 s')), 30000);
              const subscription = client.subscribe(partitionId, {
                processEvents: async (events) => { if (events.length) { clearTimeout(timer); await subscription.close(); resolve(events[0]); } },
                processError: async (error) => { clearTimeout(timer); await subscription.close(); reject(error); },
              }, { startPosition: position, maxWaitTimeInSeconds: 1 });
            });
            console.log(JSON.stringify({ messageId: first.messageId, sequenceNumber: first.sequenceNumber }));
          } finally { await client.close(); }
        })().catch(e => { console.log(JSON.stringify({ error: String(e && e.message || e), code: e && e.code })); process.exit(0); });
        """;

    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(120);

    private static List<JsonObject> Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith('{'))
            .Select(l => JsonNode.Parse(l)!.AsObject())
            .ToList();

    [Fact]
    public async Task Subscribe_ReadsEveryModuleMessageOnceInOrderPerPartition_WithIotHubAnnotations()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        string[] devices = ["store101-gw", "store102-gw", "store103-gw"];
        foreach (var device in devices)
        {
            await using var module = await EventHubsEndpointTests.OpenModuleAsync(hub, device, "StoreGateway");
            await EventHubsEndpointTests.SendAsync(module, device, 0, 12);
        }

        var output = await NodeScript.RunAsync(SubscribeScript, NodeTimeout, hub.Emulator.EventHubsConnectionString(), "36");
        var lines = Lines(output);
        var events = lines.Where(l => l["messageId"] is not null).ToList();

        Assert.Equal(["0", "1", "2", "3"], lines[0]["partitionIds"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.DoesNotContain(lines, l => l["error"] is not null);
        Assert.Equal(36, events.Count);
        Assert.Equal(36, events.Select(e => e["messageId"]!.GetValue<string>()).Distinct().Count());
        foreach (var device in devices)
        {
            var mine = events.Where(e => e["deviceId"]!.GetValue<string>() == device).ToList();
            Assert.Equal(Enumerable.Range(0, 12).Select(i => $"{device}-{i}"), mine.Select(e => e["messageId"]!.GetValue<string>()));
            Assert.All(mine, e => Assert.Equal(EventHubsEndpointTests.PartitionOf(device), e["partition"]!.GetValue<string>()));
            Assert.All(mine, e => Assert.Equal("StoreGateway", e["moduleId"]!.GetValue<string>()));
            Assert.All(mine, e => Assert.Equal(e["enqueued"]!.GetValue<long>(), e["hubEnqueued"]!.GetValue<long>()));
            Assert.All(mine, e => Assert.Equal(device, e["storeId"]!.GetValue<string>()));
            Assert.All(mine, e => Assert.Equal("application/json", e["contentType"]!.GetValue<string>()));
            Assert.Contains("\"seq\":3", mine[3]["body"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        foreach (var partition in events.GroupBy(e => e["partition"]!.GetValue<string>()))
        {
            var sequence = partition.Select(e => e["sequenceNumber"]!.GetValue<long>()).ToList();
            Assert.Equal(Enumerable.Range(0, sequence.Count).Select(i => (long)i), sequence);
        }
    }

    [Fact]
    public async Task ReadFromSequenceNumberOffsetAndEnqueuedTime_StartsRight_WrongKeyRefused()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        await using var module = await EventHubsEndpointTests.OpenModuleAsync(hub, "store110-gw", "StoreGateway");
        await EventHubsEndpointTests.SendAsync(module, "store110-gw", 0, 6);
        var partitionId = EventHubsEndpointTests.PartitionOf("store110-gw");
        var stored = hub.Emulator.Events.Partition(partitionId)!.ReadFrom(0, 6);
        await Task.Delay(TimeSpan.FromMilliseconds(1100));
        await EventHubsEndpointTests.SendAsync(module, "store110-gw", 6, 2);
        var betweenMs = stored[^1].EnqueuedTime.AddMilliseconds(500).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var connectionString = hub.Emulator.EventHubsConnectionString();
        var wrongKey = System.Text.RegularExpressions.Regex.Replace(connectionString, "SharedAccessKey=[^;]+", "SharedAccessKey=" + Convert.ToBase64String(new byte[32]));

        var fromSequence = Lines(await NodeScript.RunAsync(ReadFromScript, NodeTimeout, connectionString, partitionId, "sequence", "2", "false")).Single();
        var fromOffset = Lines(await NodeScript.RunAsync(ReadFromScript, NodeTimeout, connectionString, partitionId, "offset", stored[4].Offset.ToString(System.Globalization.CultureInfo.InvariantCulture), "true")).Single();
        var fromTime = Lines(await NodeScript.RunAsync(ReadFromScript, NodeTimeout, connectionString, partitionId, "time", betweenMs, "false")).Single();
        var refused = Lines(await NodeScript.RunAsync(ReadFromScript, NodeTimeout, wrongKey, partitionId, "sequence", "0", "true")).Single();

        Assert.Equal("store110-gw-3", fromSequence["messageId"]!.GetValue<string>());
        Assert.Equal("store110-gw-4", fromOffset["messageId"]!.GetValue<string>());
        Assert.Equal("store110-gw-6", fromTime["messageId"]!.GetValue<string>());
        Assert.Null(refused["messageId"]);
        Assert.Contains("SignatureMismatch", refused["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
