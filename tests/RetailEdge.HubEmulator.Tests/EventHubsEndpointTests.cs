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
        var events = await ReadAsync(consumer, partition, EventPosition.Earliest, 25);

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

    internal static string PartitionOf(string deviceId, int partitionCount = 4) =>
        Routing.RoutingPartitioner.PartitionOf(deviceId, partitionCount).ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task ReadFromEnqueuedTimeOffsetAndSequenceNumber_StartsAtTheRightEvent()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        await using var module = await OpenModuleAsync(hub, "store021-gw", "StoreGateway");
        await SendAsync(module, "store021-gw", 0, 10);
        await using var consumer = new EventHubConsumerClient(EventHubConsumerClient.DefaultConsumerGroupName, hub.Emulator.EventHubsConnectionString());
        var partition = PartitionOf("store021-gw");
        var all = await ReadAsync(consumer, partition, EventPosition.Earliest, 10);
        // a second batch later in time, so an enqueued time between the two batches has one right answer
        await Task.Delay(TimeSpan.FromMilliseconds(1100));
        await SendAsync(module, "store021-gw", 10, 5);
        var between = all[^1].Data.EnqueuedTime.AddMilliseconds(500);

        var fromSequenceInclusive = await ReadAsync(consumer, partition, EventPosition.FromSequenceNumber(4, isInclusive: true), 1);
        var fromSequenceExclusive = await ReadAsync(consumer, partition, EventPosition.FromSequenceNumber(4, isInclusive: false), 1);
        var fromOffsetInclusive = await ReadAsync(consumer, partition, EventPosition.FromOffset(all[6].Data.OffsetString, isInclusive: true), 1);
        var fromOffsetExclusive = await ReadAsync(consumer, partition, EventPosition.FromOffset(all[6].Data.OffsetString, isInclusive: false), 1);
        var fromTime = await ReadAsync(consumer, partition, EventPosition.FromEnqueuedTime(between), 1);
        var fromLatestTask = ReadAsync(consumer, partition, EventPosition.Latest, 1);
        await WaitUntilAsync(async () => (await consumer.GetPartitionPropertiesAsync(partition)).LastEnqueuedSequenceNumber == 14);
        await Task.Delay(TimeSpan.FromSeconds(1));
        await SendAsync(module, "store021-gw", 15, 1);
        var fromLatest = await fromLatestTask;

        Assert.Equal("store021-gw-4", fromSequenceInclusive[0].Data.MessageId);
        Assert.Equal("store021-gw-5", fromSequenceExclusive[0].Data.MessageId);
        Assert.Equal("store021-gw-6", fromOffsetInclusive[0].Data.MessageId);
        Assert.Equal("store021-gw-7", fromOffsetExclusive[0].Data.MessageId);
        Assert.Equal("store021-gw-10", fromTime[0].Data.MessageId);
        Assert.Equal("store021-gw-15", fromLatest[0].Data.MessageId);
    }

    [Fact]
    public async Task PartitionProperties_ReportBeginLastOffsetTimeAndEmpty()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        await using var module = await OpenModuleAsync(hub, "store030-gw", "StoreGateway");
        await SendAsync(module, "store030-gw", 0, 3);
        await using var producer = new EventHubProducerClient(hub.Emulator.EventHubsConnectionString());
        var partition = PartitionOf("store030-gw");
        var empty = PartitionOf("store030-gw") == "0" ? "1" : "0";

        var hubProperties = await producer.GetEventHubPropertiesAsync();
        var properties = await producer.GetPartitionPropertiesAsync(partition);
        var emptyProperties = await producer.GetPartitionPropertiesAsync(empty);
        var last = hub.Emulator.Events.Partition(partition)!.ReadFrom(2, 1)[0];

        Assert.Equal("testhub", hubProperties.Name);
        Assert.Equal(["0", "1", "2", "3"], hubProperties.PartitionIds);
        Assert.False(properties.IsEmpty);
        Assert.Equal(0, properties.BeginningSequenceNumber);
        Assert.Equal(2, properties.LastEnqueuedSequenceNumber);
        Assert.Equal(last.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture), properties.LastEnqueuedOffsetString);
        Assert.Equal(last.EnqueuedTime.ToUnixTimeMilliseconds(), properties.LastEnqueuedTime.ToUnixTimeMilliseconds());
        Assert.True(emptyProperties.IsEmpty);
        Assert.Equal(-1, emptyProperties.LastEnqueuedSequenceNumber);
    }

    [Fact]
    public async Task WrongKeyOrExpiredToken_Refused_RightKeyAccepted()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        var connectionString = hub.Emulator.EventHubsConnectionString();
        var wrongKey = System.Text.RegularExpressions.Regex.Replace(connectionString, "SharedAccessKey=[^;]+", "SharedAccessKey=" + Convert.ToBase64String(new byte[32]));
        var endpoint = hub.Emulator.EventHubsEndPoint;
        var resource = $"amqp://{endpoint.Address}/testhub";
        var expired = EventHubsSas(resource, "service", hub.Emulator.Registry.ServicePolicy.PrimaryKey, DateTimeOffset.UtcNow.AddMinutes(-1));
        var valid = EventHubsSas(resource, "service", hub.Emulator.Registry.ServicePolicy.PrimaryKey, DateTimeOffset.UtcNow.AddMinutes(10));
        var options = new EventHubConsumerClientOptions { RetryOptions = new EventHubsRetryOptions { MaximumRetries = 0 } };
        string WithSignature(string token) => $"Endpoint=sb://{endpoint}/;SharedAccessSignature={token};EntityPath=testhub;UseDevelopmentEmulator=true";

        await using var wrong = new EventHubConsumerClient(EventHubConsumerClient.DefaultConsumerGroupName, wrongKey, options);
        await using var old = new EventHubConsumerClient(EventHubConsumerClient.DefaultConsumerGroupName, WithSignature(expired), options);
        await using var right = new EventHubConsumerClient(EventHubConsumerClient.DefaultConsumerGroupName, WithSignature(valid), options);

        var wrongError = await Assert.ThrowsAnyAsync<Exception>(() => wrong.GetPartitionIdsAsync());
        var expiredError = await Assert.ThrowsAnyAsync<Exception>(() => old.GetPartitionIdsAsync());
        Assert.Equal(4, (await right.GetPartitionIdsAsync()).Length);
        Assert.Contains("SignatureMismatch", wrongError.Message, StringComparison.Ordinal);
        Assert.Contains("Expired", expiredError.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(hub.Emulator.Registry.ServicePolicy.PrimaryKey, hub.Logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("sig=", hub.Logs.Text, StringComparison.Ordinal);
    }


    /// <summary>An Event Hubs SAS token: HMAC-SHA256 keyed with the key's text, as Event Hubs signs.</summary>
    internal static string EventHubsSas(string resource, string keyName, string key, DateTimeOffset expiry)
    {
        var encoded = Uri.EscapeDataString(resource.ToLowerInvariant());
        var seconds = expiry.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(encoded + "\n" + seconds)));
        return $"SharedAccessSignature sr={encoded}&sig={Uri.EscapeDataString(signature)}&se={seconds}&skn={keyName}";
    }

    [Fact]
    public async Task OwnerLevelReceiver_EvictsLowerOne_AndALowerOneIsRefused()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        var connectionString = hub.Emulator.EventHubsConnectionString();
        await using var client = new EventHubConsumerClient(EventHubConsumerClient.DefaultConsumerGroupName, connectionString);
        using var timeout = new CancellationTokenSource(Patience);
        var low = ReadOwnedAsync(client, ownerLevel: 1, timeout.Token);
        await WaitUntilAsync(() => Task.FromResult(hub.Logs.Text.Contains("owner level 1,", StringComparison.Ordinal)));

        var high = ReadOwnedAsync(client, ownerLevel: 2, timeout.Token);
        var evicted = await Assert.ThrowsAsync<EventHubsException>(() => low);
        await WaitUntilAsync(() => Task.FromResult(hub.Logs.Text.Contains("owner level 2,", StringComparison.Ordinal)));
        var refused = await Assert.ThrowsAsync<EventHubsException>(() => ReadOwnedAsync(client, ownerLevel: 1, timeout.Token));
        await timeout.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => high);

        Assert.Equal(EventHubsException.FailureReason.ConsumerDisconnected, evicted.Reason);
        Assert.Equal(EventHubsException.FailureReason.ConsumerDisconnected, refused.Reason);
    }

    private static async Task ReadOwnedAsync(EventHubConsumerClient client, long ownerLevel, CancellationToken cancellationToken)
    {
        var options = new ReadEventOptions { OwnerLevel = ownerLevel, MaximumWaitTime = TimeSpan.FromMilliseconds(200) };
        await foreach (var _ in client.ReadEventsFromPartitionAsync("0", EventPosition.Earliest, options, cancellationToken))
        {
        }
    }

    [Fact]
    public async Task Restart_KeepsRetainedEvents_AndNumberingGoesOn()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        await using (var module = await OpenModuleAsync(hub, "store040-gw", "StoreGateway"))
        {
            await SendAsync(module, "store040-gw", 0, 5);
        }
        var partition = PartitionOf("store040-gw");
        await using var first = new EventHubConsumerClient(EventHubConsumerClient.DefaultConsumerGroupName, hub.Emulator.EventHubsConnectionString(),
            new EventHubConsumerClientOptions { RetryOptions = new EventHubsRetryOptions { MaximumRetries = 0, TryTimeout = TimeSpan.FromSeconds(5) } });
        var before = await ReadAsync(first, partition, EventPosition.Earliest, 5);

        await hub.RestartAsync();
        // the stop closed the old endpoint's connections: the client's next call fails instead of hanging on a dead link
        await Assert.ThrowsAnyAsync<Exception>(() => first.GetPartitionIdsAsync());
        await using (var module = new IotHubModuleClient(hub.Emulator.ModuleClientOptions("store040-gw", "StoreGateway")))
        {
            await module.OpenAsync(CancellationToken.None);
            await SendAsync(module, "store040-gw", 5, 2);
        }
        await using var after = new EventHubConsumerClient(EventHubConsumerClient.DefaultConsumerGroupName, hub.Emulator.EventHubsConnectionString());
        var events = await ReadAsync(after, partition, EventPosition.Earliest, 7);

        Assert.Equal(Enumerable.Range(0, 7).Select(i => "store040-gw-" + i), events.Select(e => e.Data.MessageId));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => (long)i), events.Select(e => e.Data.SequenceNumber));
        Assert.Equal(before.Select(e => e.Data.OffsetString), events.Take(5).Select(e => e.Data.OffsetString));
        Assert.Equal(before.Select(e => e.Data.EnqueuedTime), events.Take(5).Select(e => e.Data.EnqueuedTime));
    }

    [Fact]
    public async Task ConsumerGroups_FromRegistryAccepted_UnknownRefused_ProducerRefused()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        await hub.Emulator.Registry.AddConsumerGroupAsync("lake-processor");
        await using var module = await OpenModuleAsync(hub, "store050-gw", "StoreGateway");
        await SendAsync(module, "store050-gw", 0, 2);
        var connectionString = hub.Emulator.EventHubsConnectionString();
        var noRetry = new EventHubConsumerClientOptions { RetryOptions = new EventHubsRetryOptions { MaximumRetries = 0, TryTimeout = TimeSpan.FromSeconds(20) } };
        await using var lake = new EventHubConsumerClient("lake-processor", connectionString);
        await using var unknown = new EventHubConsumerClient("nobody", connectionString, noRetry);
        await using var producer = new EventHubProducerClient(connectionString, new EventHubProducerClientOptions { RetryOptions = new EventHubsRetryOptions { MaximumRetries = 0 } });

        var events = await ReadAsync(lake, PartitionOf("store050-gw"), EventPosition.Earliest, 2);
        var notFound = await Assert.ThrowsAsync<EventHubsException>(() => ReadAsync(unknown, "0", EventPosition.Earliest, 1));
        var sendError = await Assert.ThrowsAnyAsync<Exception>(() => producer.SendAsync([new EventData("x"u8.ToArray())]));

        Assert.Equal(["store050-gw-0", "store050-gw-1"], events.Select(e => e.Data.MessageId));
        Assert.Equal(EventHubsException.FailureReason.ResourceNotFound, notFound.Reason);
        Assert.Contains("read-only", sendError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Amqps_WithTheEmulatorCertificate_Reads()
    {
        await using var hub = await EmulatorHarness.StartAsync(configure: o => o with { UseTls = true });
        await using var module = await OpenModuleAsync(hub, "store060-gw", "StoreGateway");
        await SendAsync(module, "store060-gw", 0, 3);
        var certificate = hub.Emulator.Certificate!;
        var options = new EventHubConsumerClientOptions();
        // as for a real hub, the clients dial AMQPS on 5671 unless told where: the emulator listens on a free port
        options.ConnectionOptions.CustomEndpointAddress = new Uri($"amqps://{hub.Emulator.EventHubsEndPoint}");
        options.ConnectionOptions.CertificateValidationCallback = (_, presented, _, _) =>
            presented is not null && presented.GetCertHashString() == certificate.GetCertHashString();
        var connectionString = hub.Emulator.EventHubsConnectionString();
        await using var consumer = new EventHubConsumerClient(EventHubConsumerClient.DefaultConsumerGroupName, connectionString, options);

        List<PartitionEvent> events;
        try
        {
            events = await ReadAsync(consumer, PartitionOf("store060-gw"), EventPosition.Earliest, 3);
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException(hub.Logs.Text);
        }

        Assert.DoesNotContain("UseDevelopmentEmulator", connectionString, StringComparison.Ordinal);
        Assert.Equal(["store060-gw-0", "store060-gw-1", "store060-gw-2"], events.Select(e => e.Data.MessageId));
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the condition did not hold within " + Patience);
            }
            await Task.Delay(50);
        }
    }
}
