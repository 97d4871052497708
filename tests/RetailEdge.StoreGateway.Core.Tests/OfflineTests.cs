using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Reference;
using RetailEdge.Contracts.Twin;
using RetailEdge.Simulator;
using RetailEdge.StoreGateway.Core;
using RetailEdge.StoreGateway.Testing;

namespace RetailEdge.StoreGateway.Core.Tests;

public class OfflineTests
{
    [Fact]
    public async Task Uplink_TransportDownForReferenceDay_BacklogWithinBudgetThenDrainsInOrderAlertsFirst()
    {
        var simulator = new StoreSimulator(new SimulationOptions { Profile = "reference", Stores = 1, Duration = TimeSpan.FromDays(1), Seed = 3, Faults = FaultSettings.Default });
        var events = simulator.Generate().ToList();
        var set = simulator.Catalog.ReferenceSetFor(1);
        // A lane with a stale price list: one basket far off the catalogue price mid-day, so there is an alert to put first.
        var item = set.Items[0];
        var middle = events[events.Count / 2];
        var stale = new BasketEvent
        {
            Id = "stale-price-1", StoreId = 1, Ts = middle.ArrivalTime, LaneId = "L9", Channel = Channels.Store,
            Lines = [new BasketLine(item.ItemId, 1m, item.UnitPrice * 2 + 1m)],
        };
        events.Insert(events.Count / 2, new SimulatedEvent(middle.ArrivalTime, 1, StoreEventJson.Serialize(stale), stale, null, null));
        const long budget = 24L * 1024 * 1024;
        await using var harness = new EngineHarness(1, GatewaySettings.Default with { DiskBudgetMb = 24 }, start: events[0].ArrivalTime);
        var payload = ReferenceDataCodec.Serialize(set);
        await harness.Engine.ApplyReferenceDataAsync(payload, ReferenceDataCodec.VersionOf(payload), CancellationToken.None);
        var (backlog, maxUsed) = await harness.FeedOfflineAsync(events);

        Assert.Empty(harness.Transport.Sent);
        Assert.True(backlog.BufferedBatches > 100, $"backlog {backlog.BufferedBatches}");
        Assert.True(backlog.JournalBytes <= budget, $"{backlog.JournalBytes} > {budget}");
        Assert.True(maxUsed <= budget, $"{maxUsed} > {budget}");
        Assert.True(backlog.OldestUnsentAgeSeconds > 12 * 3600, $"oldest unsent {backlog.OldestUnsentAgeSeconds}s");

        harness.Transport.Online = true;
        await GatewayModuleTests.WaitUntilAsync(() => harness.Transport.Sent.Count == backlog.BufferedBatches, 60_000);

        var sent = harness.Transport.Sent;
        var alerts = sent.TakeWhile(m => m.IsAlert).ToList();
        Assert.NotEmpty(alerts);
        Assert.DoesNotContain(sent.Skip(alerts.Count), m => m.IsAlert);
        Assert.Equal(alerts.Select(m => m.Seq).Order(), alerts.Select(m => m.Seq));
        var data = sent.Skip(alerts.Count).Select(m => m.Seq).ToList();
        Assert.Equal(data.Order(), data);
        Assert.Equal(sent.Count, sent.Select(m => m.Seq).Distinct().Count());
        Assert.Contains(sent.Where(m => m.IsAlert).Select(Outbox.Decode).SelectMany(b => b.Alerts), a => a.Kind == "price_mismatch" && a.Detail["eventId"] == "stale-price-1");
        var valid = events.Where(e => e.ExpectedReason is null).Select(e => e.Event!).ToList();
        Assert.Equal(Totals.FromEvents(valid), Totals.FromBatches(sent.Select(Outbox.Decode)));
    }

    [Fact]
    public async Task Maintain_OverBudgetDropOldest_DropsOldestBatchesFirstAndCountsEveryDrop()
    {
        var simulator = new StoreSimulator(new SimulationOptions { Profile = "small", Stores = 1, Duration = TimeSpan.FromDays(1), Seed = 9 });
        var events = simulator.Generate().ToList();
        var settings = GatewaySettings.Default with { Compression = GatewaySettings.CompressionNone, ForwardRaw = true, MaxBatchBytes = 8192 };
        await using var harness = new EngineHarness(1, settings, start: events[0].ArrivalTime, diskBudgetBytes: 160 * 1024);
        harness.Transport.Online = false;

        await harness.FeedAsync(events);
        await harness.Engine.FlushAsync(CancellationToken.None);
        await harness.Engine.MaintainAsync(CancellationToken.None);
        var status = await harness.Engine.GetStatusAsync(CancellationToken.None);
        var kept = Outbox.Read(harness.DataDirectory);

        Assert.True(status.Dropped > 0, $"journal {status.JournalBytes} bytes, {kept.Count} batches kept");
        Assert.True(status.JournalBytes <= 160 * 1024, $"{status.JournalBytes}");
        // Nothing was sent: every sealed batch is either still kept or counted as dropped.
        Assert.Equal(status.NextSeq - 1, kept.Count + status.Dropped);
        // Oldest first: what is left is a contiguous tail of the data batches.
        var seqs = kept.Select(b => b.Seq).ToList();
        Assert.Equal(Enumerable.Range((int)seqs[0], seqs.Count).Select(i => (long)i), seqs);
        Assert.Equal(status.NextSeq - 1, seqs[^1]);
    }

    [Fact]
    public async Task WriterLoop_DeliveredDataOverBudget_FreedInTurnsUntilWithinBudgetWithoutBeingAsked()
    {
        var simulator = new StoreSimulator(new SimulationOptions { Profile = "small", Stores = 1, Duration = TimeSpan.FromDays(1), Seed = 21 });
        var events = simulator.Generate().ToList();
        var settings = GatewaySettings.Default with { Compression = GatewaySettings.CompressionNone, ForwardRaw = true, MaxBatchBytes = 8192 };
        const long budget = 256 * 1024;
        await using var harness = new EngineHarness(1, settings, start: events[0].ArrivalTime, diskBudgetBytes: budget);
        await harness.StartHubAsync();

        // Online: every batch is delivered, and what is delivered (sent batches, sealed events) is what the
        // loop's own maintenance deletes, turn by turn, no MaintainAsync called.
        await harness.FeedAsync(events);
        await harness.Engine.FlushAsync(CancellationToken.None);
        // The clock moves on while the hub catches up: the loop maintains once a MaintenanceInterval has passed,
        // and batches acknowledged after the last sweep are only deleted by the next.
        var status = await WaitDeliveredAndWithinBudgetAsync(harness, budget, clockStep: TimeSpan.FromMilliseconds(100));

        Assert.True(status.JournalBytes <= budget, $"{status.JournalBytes} > {budget}");
        Assert.False(status.OverBudget);
        Assert.Equal(0, status.Dropped);
        var valid = events.Where(e => e.ExpectedReason is null).Select(e => e.Event!).ToList();
        Assert.Equal(Totals.FromEvents(valid), Totals.FromBatches(harness.Transport.Sent.Where(m => !m.IsAlert).Select(Outbox.Decode)));
    }

    [Fact]
    public async Task WriterLoop_JournalPastItsBudgetBetweenMaintenances_SweptWithoutWaitingForTheNext()
    {
        var simulator = new StoreSimulator(new SimulationOptions { Profile = "small", Stores = 1, Duration = TimeSpan.FromDays(1), Seed = 22 });
        var events = simulator.Generate().ToList();
        var settings = GatewaySettings.Default with { Compression = GatewaySettings.CompressionNone, ForwardRaw = true, MaxBatchBytes = 8192 };
        const long budget = 256 * 1024;
        // Maintenance once, at the start: whatever brings the journal back within budget afterwards is the size check.
        await using var harness = new EngineHarness(1, settings, start: events[0].ArrivalTime, diskBudgetBytes: budget,
            configure: options => options with { MaintenanceInterval = TimeSpan.FromDays(30) });
        await harness.StartHubAsync();

        await harness.FeedAsync(events);
        await harness.Engine.FlushAsync(CancellationToken.None);

        var status = await WaitDeliveredAndWithinBudgetAsync(harness, budget, clockStep: TimeSpan.Zero);
        Assert.Equal(0, status.Dropped);
        Assert.False(status.OverBudget);
    }

    /// <summary>Waits (60 s at most) for the exact status to show nothing unsent and the journal within budget, moving the clock by <paramref name="clockStep"/> each look.</summary>
    private static async Task<GatewayStatus> WaitDeliveredAndWithinBudgetAsync(EngineHarness harness, long budget, TimeSpan clockStep)
    {
        var deadline = Environment.TickCount64 + 60_000;
        while (true)
        {
            harness.Time.Advance(clockStep);
            var status = await harness.Engine.GetStatusAsync(CancellationToken.None);
            if (status.BufferedBatches == 0 && status.JournalBytes <= budget)
            {
                return status;
            }
            Assert.True(Environment.TickCount64 < deadline, $"not within budget in time: {status.BufferedBatches} batches unsent, {status.JournalBytes} bytes");
            await Task.Delay(20);
        }
    }
}
