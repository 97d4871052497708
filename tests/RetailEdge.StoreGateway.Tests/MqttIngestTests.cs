using System.Globalization;
using System.Text.Json;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Validation;
using RetailEdge.StoreGateway.Core;
using RetailEdge.StoreGateway.Testing;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Tests;

/// <summary>
/// The store-broker ingest (MQTTnet client, QoS 1, persistent session, PUBACK after the journal
/// commit) against a real mosquitto: the gateway killed with SIGKILL mid-stream again and again
/// loses nothing the broker handed over (every PUBACKed message is journaled, the rest is
/// redelivered), and after a broker restart it reconnects and subscribes again.
/// </summary>
public class MqttIngestTests
{
    private const int Kills = 6;

    private static Task PublishAsync(StoreBrokerPublisher publisher, BasketEvent basket) =>
        publisher.PublishAsync("store/17/pos/" + basket.LaneId, StoreEventJson.Serialize(basket));

    private static async Task<ManagedProcess> StartSubscribedGatewayAsync(string dataDirectory, MosquittoBroker broker)
    {
        var port = FreePort.Next();
        var process = GatewayProcess.Start(dataDirectory, port, new Dictionary<string, string>
        {
            ["StoreGateway__MqttHost"] = broker.Host,
            ["StoreGateway__MqttPort"] = broker.Port.ToString(CultureInfo.InvariantCulture),
        });
        using var http = GatewayProcess.CreateClient(port);
        await GatewayProcess.WaitHealthyAsync(http, process);
        await GatewayModuleTestsSupport.WaitUntilAsync(() =>
        {
            using var health = JsonDocument.Parse(http.GetStringAsync("health").GetAwaiter().GetResult());
            return health.RootElement.GetProperty("mqtt").GetString() == "subscribed";
        }, 60_000);
        return process;
    }

    private static long JournaledEvents(string dataDirectory)
    {
        using var journal = new GatewayJournal(dataDirectory);
        return journal.CountEvents();
    }

    [Fact]
    public async Task KillDuringMqttIngest_RepeatedSigkill_EveryBrokerDeliveredMessageJournaledOnce()
    {
        await using var broker = await MosquittoBroker.StartAsync("max_inflight_messages 100");
        using var directory = new TempDirectory("gateway-mqtt-crash");
        var random = new Random(20261205);
        var generated = new List<BasketEvent>();
        var nextId = 0;
        using var publisher = await StoreBrokerPublisher.ConnectAsync(broker, "pos-lanes");
        var journaledAtKill = new List<long>();

        for (var kill = 0; kill < Kills; kill++)
        {
            await using var gateway = await StartSubscribedGatewayAsync(directory.Path, broker);
            // publish while the gateway journals; the broker holds whatever it has not had a PUBACK for
            var killAt = System.Environment.TickCount64 + random.Next(300, 1200);
            while (System.Environment.TickCount64 < killAt)
            {
                foreach (var basket in CrashSafetyTests.NewBaskets(random, ref nextId, 20, generated))
                {
                    await PublishAsync(publisher, basket);
                }
            }
            gateway.Kill();
            journaledAtKill.Add(JournaledEvents(directory.Path));
        }

        // the last process drains the session the broker kept for it
        await using (var last = await StartSubscribedGatewayAsync(directory.Path, broker))
        {
            // no throw on timeout: the count assertion below says how many were lost
            var deadline = System.Environment.TickCount64 + 120_000;
            while (JournaledEvents(directory.Path) < generated.Count && System.Environment.TickCount64 < deadline)
            {
                await Task.Delay(100);
            }
        }

        Assert.True(journaledAtKill.Zip(journaledAtKill.Skip(1)).Count(p => p.Second > p.First) >= Kills / 2, "the kills did not land during ingest: " + string.Join(",", journaledAtKill));
        using var journal = new GatewayJournal(directory.Path);
        Assert.Equal(generated.Count, journal.CountEvents());
        // a redelivered copy of a journaled event is a counted duplicate, never a second event
        Assert.All(journal.ReadQuarantine(), q => Assert.Equal(ReasonCodes.Duplicate, q.Reason));
    }

    [Fact]
    public async Task BrokerRestart_GatewayReconnectsAndSubscribesAgain_LaterMessagesJournaled()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var directory = new TempDirectory("gateway-mqtt-restart");
        var random = new Random(7);
        var generated = new List<BasketEvent>();
        var nextId = 0;
        await using var gateway = await StartSubscribedGatewayAsync(directory.Path, broker);

        using (var before = await StoreBrokerPublisher.ConnectAsync(broker, "pos-lanes"))
        {
            foreach (var basket in CrashSafetyTests.NewBaskets(random, ref nextId, 50, generated))
            {
                await PublishAsync(before, basket);
            }
            await GatewayModuleTestsSupport.WaitUntilAsync(() => JournaledEvents(directory.Path) == 50, 60_000);
        }

        // SIGKILL and no persistence: the restarted broker knows neither the session nor its subscriptions
        await broker.RestartAsync(TimeSpan.FromSeconds(1));
        using var after = await StoreBrokerPublisher.ConnectAsync(broker, "pos-lanes");
        var afterRestart = CrashSafetyTests.NewBaskets(random, ref nextId, 50, generated);
        // publish until the gateway's new subscription takes them (messages before it reach nobody)
        await GatewayModuleTestsSupport.WaitUntilAsync(() =>
        {
            foreach (var basket in afterRestart)
            {
                PublishAsync(after, basket).GetAwaiter().GetResult();
            }
            return JournaledEvents(directory.Path) == generated.Count;
        }, 90_000);

        Assert.Equal(100, JournaledEvents(directory.Path));
        Assert.Contains("Lost the store broker", gateway.Output, StringComparison.Ordinal);
    }
}
