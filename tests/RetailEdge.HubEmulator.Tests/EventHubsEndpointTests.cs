using System.Text;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Producer;
using RetailEdge.IotHub;

namespace RetailEdge.HubEmulator.Tests;

/// <summary>
/// The built-in Event Hubs-compatible endpoint read by Microsoft's own Event Hubs client
/// (Azure.Messaging.EventHubs) over real AMQP sockets on 127.0.0.1; the messages come from
/// modules through the MQTT device endpoint, as on a real hub.
/// </summary>
public class EventHubsEndpointTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    internal static async Task<IotHubModuleClient> OpenModuleAsync(EmulatorHarness hub, string deviceId, string moduleId)
    {
        await hub.Emulator.Registry.AddModuleAsync(deviceId, moduleId);
        var client = new IotHubModuleClient(hub.Emulator.ModuleClientOptions(deviceId, moduleId));
        using var timeout = new CancellationTokenSource(Patience);
        await client.OpenAsync(timeout.Token);
        return client;
    }

    internal static async Task SendAsync(IotHubModuleClient client, string deviceId, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            await client.SendEventAsync(new IotHubMessage(Encoding.UTF8.GetBytes($$"""{"device":"{{deviceId}}","seq":{{i}}}"""))
            {
                MessageId = $"{deviceId}-{i}",
                CorrelationId = "corr-" + i,
                ContentType = "application/json",
                ContentEncoding = "utf-8",
                Properties = new Dictionary<string, string> { ["seq"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ["storeId"] = deviceId },
            }, CancellationToken.None);
        }
    }

    internal static async Task<List<PartitionEvent>> ReadAsync(EventHubConsumerClient consumer, string partitionId, EventPosition start, int count)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var events = new List<PartitionEvent>();
        await foreach (var item in consumer.ReadEventsFromPartitionAsync(partitionId, start, timeout.Token))
        {
            events.Add(item);
            if (events.Count == count)
            {
                break;
            }
        }
        return events;
    }

    [Fact]
    public async Task ConsumerClient_ReadsEveryModuleMessageOnceInOrder_WithIotHubAnnotations()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        await using var module = await OpenModuleAsync(hub, "store017-gw", "StoreGateway");
        await SendAsync(module, "store017-gw", 0, 25);
        var connectionString = hub.Emulator.EventHubsConnectionString();
        await using var consumer = new EventHubConsumerClient(EventHubConsumerClient.DefaultConsumerGroupName, connectionString);

        var partitionIds = await consumer.GetPartitionIdsAsync();
        var partition = RetailEdge.HubEmulator.Routing.RoutingPartitioner.PartitionOf("store017-gw", 4).ToString(System.Globalization.CultureInfo.InvariantCulture);
        List<PartitionEvent> events;
        try
        {
            events = await ReadAsync(consumer, partition, EventPosition.Earliest, 25);
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException(hub.Logs.Text);
        }

        Assert.Equal(["0", "1", "2", "3"], partitionIds);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => "store017-gw-" + i), events.Select(e => e.Data.MessageId));
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), events.Select(e => e.Data.SequenceNumber));
        var first = events[0].Data;
        Assert.Equal("""{"device":"store017-gw","seq":0}""", first.EventBody.ToString());
        Assert.Equal("application/json", first.ContentType);
        Assert.Equal("corr-0", first.CorrelationId);
        Assert.Equal("store017-gw", first.Properties["storeId"]);
        Assert.Equal("store017-gw", first.SystemProperties["iothub-connection-device-id"]);
        Assert.Equal("StoreGateway", first.SystemProperties["iothub-connection-module-id"]);
        Assert.IsType<DateTime>(first.SystemProperties["iothub-enqueuedtime"]);
        Assert.Equal("utf-8", first.GetRawAmqpMessage().Properties.ContentEncoding);
        Assert.True(events[1].Data.OffsetString is { Length: > 0 } && long.Parse(events[1].Data.OffsetString, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.True(first.EnqueuedTime > DateTimeOffset.UtcNow.AddMinutes(-5));
    }
}
