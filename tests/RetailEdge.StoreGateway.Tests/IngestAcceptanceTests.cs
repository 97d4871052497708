using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using RetailEdge.Contracts.Reference;
using RetailEdge.Contracts.Validation;
using RetailEdge.Simulator;
using RetailEdge.StoreGateway.Core;
using RetailEdge.StoreGateway.Testing;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Tests;

/// <summary>
/// A simulated reference store-day with faults, through the real host: over HTTP, and over a real
/// mosquitto broker with a gateway restart in the middle. The batches must add up to exactly what
/// the simulator's valid events say, and every fault must sit in quarantine with its reason.
/// </summary>
public class IngestAcceptanceTests
{
    private static (StoreSimulator Simulator, List<SimulatedEvent> Events) ReferenceDay(int seed)
    {
        var simulator = new StoreSimulator(new SimulationOptions { Profile = "reference", Stores = 1, Duration = TimeSpan.FromDays(1), Seed = seed, Faults = FaultSettings.Default });
        return (simulator, simulator.Generate().ToList());
    }

    private static async Task LoadReferenceAsync(GatewayHost host, StoreSimulator simulator)
    {
        var payload = ReferenceDataCodec.Serialize(simulator.Catalog.ReferenceSetFor(1));
        await host.Engine.ApplyReferenceDataAsync(payload, ReferenceDataCodec.VersionOf(payload), CancellationToken.None);
    }

    [Fact]
    public async Task PostEvents_ReferenceDayWithFaults_BatchesEqualValidEventsAndFaultsQuarantined()
    {
        var (simulator, events) = ReferenceDay(seed: 21);
        using var directory = new TempDirectory("gateway-http");
        var results = new List<(SimulatedEvent Event, JsonElement Result)>();
        await using (var host = await GatewayHost.StartAsync(directory.Path, events[0].ArrivalTime))
        {
            await LoadReferenceAsync(host, simulator);
            using var http = host.CreateClient();
            foreach (var group in Groups(events, TimeSpan.FromMinutes(5)))
            {
                host.Clock.SetUtcNow(group[^1].ArrivalTime);
                var body = new StringBuilder();
                foreach (var e in group)
                {
                    body.Append(Encoding.UTF8.GetString(e.Json)).Append('\n');
                }
                using var content = new StringContent(body.ToString(), Encoding.UTF8);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
                using var response = await http.PostAsync("events", content);
                response.EnsureSuccessStatusCode();
                using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
                var answers = document.RootElement.GetProperty("results").EnumerateArray().Select(r => r.Clone()).ToList();
                Assert.Equal(group.Count, answers.Count);
                results.AddRange(group.Zip(answers));
            }
            // /health shows the engine's status snapshot, refreshed by its loop right after the last commit.
            var expectedAccepted = events.Count(e => e.ExpectedReason is null);
            long accepted = 0;
            await GatewayModuleTestsSupport.WaitUntilAsync(() =>
            {
                using var health = JsonDocument.Parse(http.GetStringAsync("health").GetAwaiter().GetResult());
                accepted = health.RootElement.GetProperty("accepted").GetInt64();
                return accepted == expectedAccepted;
            });
            await host.Engine.FlushAsync(CancellationToken.None);
        }

        foreach (var (e, result) in results)
        {
            var status = result.GetProperty("status").GetString();
            if (e.ExpectedReason is null)
            {
                Assert.Equal("accepted", status);
            }
            else
            {
                Assert.Equal(e.ExpectedReason == ReasonCodes.Duplicate ? "duplicate" : "rejected", status);
                Assert.StartsWith(e.ExpectedReason, result.GetProperty("reason").GetString(), StringComparison.Ordinal);
            }
        }
        AssertJournal(directory.Path, events);
    }

    [Fact]
    public async Task Mqtt_ReferenceDayWithFaultsAndGatewayRestart_BatchesEqualValidEventsNothingDoubled()
    {
        var (simulator, events) = ReferenceDay(seed: 22);
        await using var broker = await MosquittoBroker.StartAsync("max_inflight_messages 0");
        using var directory = new TempDirectory("gateway-mqtt");
        var settings = new Dictionary<string, string?>
        {
            ["StoreGateway:MqttHost"] = broker.Host,
            ["StoreGateway:MqttPort"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var host = await GatewayHost.StartAsync(directory.Path, events[0].ArrivalTime, settings);
        await LoadReferenceAsync(host, simulator);
        using var publisher = await StoreBrokerPublisher.ConnectAsync(broker, "pos-lanes");
        // The first session must exist (subscribed) before anything is published to it.
        await host.WaitForMqttSubscriptionAsync();
        var outstanding = new List<Task>();
        var restartAt = events.Count / 2;
        try
        {
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                if (e.ArrivalTime > host.Clock.GetUtcNow())
                {
                    host.Clock.SetUtcNow(e.ArrivalTime);
                }
                var topic = e.Event is RetailEdge.Contracts.Events.WeighingEvent ? "store/1/scale/S1" : "store/1/pos/L1";
                outstanding.Add(publisher.PublishAsync(topic, e.Json));
                if (outstanding.Count >= 200)
                {
                    await Task.WhenAll(outstanding);
                    outstanding.Clear();
                }
                if (i == restartAt)
                {
                    // The gateway goes away mid-stream: the broker keeps its persistent session and
                    // redelivers everything not yet acknowledged to the next process.
                    var now = host.Clock.GetUtcNow();
                    await host.DisposeAsync();
                    host = await GatewayHost.StartAsync(directory.Path, now, settings);
                }
            }
            await Task.WhenAll(outstanding);
            // Redelivered copies also land in quarantine, so wait for the exact number of distinct
            // events and at least every fault, not for a total.
            var expectedEvents = events.Count(e => e.ExpectedReason is null);
            var expectedFaults = events.Count(e => e.ExpectedReason is not null);
            await GatewayModuleTestsSupport.WaitUntilAsync(() =>
            {
                var (journaled, quarantined) = CountHandled(directory.Path);
                return journaled == expectedEvents && quarantined >= expectedFaults;
            }, 120_000);
            await host.Engine.FlushAsync(CancellationToken.None);
        }
        finally
        {
            await host.DisposeAsync();
        }
        AssertJournal(directory.Path, events, allowRedeliveredDuplicates: true);
    }

    private static (long Events, int Quarantined) CountHandled(string dataDirectory)
    {
        using var journal = new GatewayJournal(dataDirectory);
        return (journal.CountEvents(), journal.ReadQuarantine().Count);
    }

    private static void AssertJournal(string dataDirectory, List<SimulatedEvent> events, bool allowRedeliveredDuplicates = false)
    {
        var batches = Outbox.Read(dataDirectory);
        var valid = events.Where(e => e.ExpectedReason is null).Select(e => e.Event!).ToList();
        Assert.Equal(Totals.FromEvents(valid), Totals.FromBatches(batches));
        Assert.Equal(Enumerable.Range(1, batches.Count).Select(i => (long)i), batches.Select(b => b.Seq));
        Assert.Equal(valid.OfType<RetailEdge.Contracts.Events.BasketEvent>().Count(), batches.Sum(b => b.Baskets.Count));

        using var journal = new GatewayJournal(dataDirectory);
        Assert.Equal(valid.Count, journal.CountEvents());
        var quarantine = journal.ReadQuarantine();
        var faults = events.Where(e => e.ExpectedReason is not null).ToList();
        Assert.True(faults.Count > 5, $"only {faults.Count} faults");
        // Every injected fault is in quarantine with the reason it must get.
        var remaining = quarantine.ToList();
        foreach (var fault in faults)
        {
            var index = remaining.FindIndex(q => q.Holds(fault.Json) && q.Reason.StartsWith(fault.ExpectedReason!, StringComparison.Ordinal));
            Assert.True(index >= 0, $"fault {fault.Fault} ({fault.ExpectedReason}) not in quarantine");
            remaining.RemoveAt(index);
        }
        // Anything else in quarantine can only be a redelivery (MQTT at-least-once across the gateway
        // restart): a duplicate of an accepted event, or the same bytes as a fault with the same reason.
        if (allowRedeliveredDuplicates)
        {
            Assert.All(remaining, q => Assert.True(
                q.Reason == ReasonCodes.Duplicate || faults.Any(f => q.Holds(f.Json) && q.Reason.StartsWith(f.ExpectedReason!, StringComparison.Ordinal)),
                q.Reason));
        }
        else
        {
            Assert.Empty(remaining);
        }
    }

    private static IEnumerable<List<SimulatedEvent>> Groups(List<SimulatedEvent> events, TimeSpan span)
    {
        var group = new List<SimulatedEvent>();
        foreach (var e in events)
        {
            if (group.Count > 0 && (group.Count >= 500 || e.ArrivalTime - group[0].ArrivalTime > span))
            {
                yield return group;
                group = [];
            }
            group.Add(e);
        }
        if (group.Count > 0)
        {
            yield return group;
        }
    }
}
