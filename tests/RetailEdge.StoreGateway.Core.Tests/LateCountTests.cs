using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Twin;
using RetailEdge.StoreGateway.Core;
using RetailEdge.StoreGateway.Testing;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Core.Tests;

/// <summary>
/// A stock count dropped hours after it was taken, for a best-selling item: it falls among the item's
/// folded changes, and the running inventory is recomputed from the journal (ARCHITECTURE.md §5).
/// </summary>
public class LateCountTests
{
    private const long Item = 5;
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);

    private static byte[] Sale(int i, decimal qty) => StoreEventJson.Serialize(new BasketEvent
    {
        Id = "b-" + i, StoreId = 17, Ts = T0.AddSeconds(i), LaneId = "L1", Channel = Channels.Store,
        // Another item on every basket: the recomputation sums only the counted item's lines.
        Lines = [new BasketLine(Item, qty, 2m), new BasketLine(Item + 1, 1m, 3m)],
    });

    private static byte[] Restock(int i, decimal qty) => StoreEventJson.Serialize(new InventoryChangeEvent
    {
        Id = "r-" + i, StoreId = 17, Ts = T0.AddSeconds(i), ChangeType = ChangeTypes.Restock, Lines = [new InventoryLine(Item, qty)],
    });

    private static byte[] Count(DateTimeOffset ts, decimal qty) => StoreEventJson.Serialize(new InventorySnapshotEvent
    {
        Id = "s-" + ts.ToUnixTimeMilliseconds(), StoreId = 17, Ts = ts, EmployeeId = "E1", Counts = [new InventoryLine(Item, qty), new InventoryLine(Item + 2, 7m)],
    });

    private static decimal LastPosition(string dataDirectory) => Totals.LastInventoryRows(Outbox.Read(dataDirectory))[Item];

    [Fact]
    public async Task IngestAsync_CountAmongFoldedSales_PositionRecomputedFromJournalAndKeptAcrossRestart()
    {
        using var directory = new TempDirectory("gateway");
        // The stock effects the position must hold, by ts (computed here, not by the code under test).
        var effects = new List<(DateTimeOffset Ts, decimal Effect)>();
        var countAt = T0.AddSeconds(50.5);
        const decimal counted = 1_000m;
        await using (var harness = new EngineHarness(17, dataDirectory: directory.Path, start: T0.AddHours(3)))
        {
            // 500 sales (and a restock every 50th second) of one item, journaled and aggregated long before the count arrives.
            for (var group = 0; group < 5; group++)
            {
                var events = new List<ReadOnlyMemory<byte>>();
                for (var i = group * 100; i < (group + 1) * 100; i++)
                {
                    var qty = 1 + i % 3;
                    events.Add(Sale(i, qty));
                    effects.Add((T0.AddSeconds(i), -qty));
                    if (i % 50 == 25)
                    {
                        events.Add(Restock(i, 40m));
                        effects.Add((T0.AddSeconds(i), 40m));
                    }
                }
                Assert.All(await harness.Engine.IngestAsync(events, IngestSources.Test, CancellationToken.None), o => Assert.Equal(IngestStatus.Accepted, o.Status));
            }
            // The count taken at 08:00:50.5 (among the first sales, long folded), dropped hours later, in one group
            // with sales after it: those are journaled before it is aggregated and must be counted once.
            var late = new List<ReadOnlyMemory<byte>> { Sale(500, 2m), Count(countAt, counted), Sale(501, 1m), Sale(502, 3m) };
            effects.AddRange([(T0.AddSeconds(500), -2m), (T0.AddSeconds(501), -1m), (T0.AddSeconds(502), -3m)]);
            Assert.All(await harness.Engine.IngestAsync(late, IngestSources.Test, CancellationToken.None), o => Assert.Equal(IngestStatus.Accepted, o.Status));
            await harness.Engine.FlushAsync(CancellationToken.None);
        }

        var expected = counted + effects.Where(e => e.Ts >= countAt).Sum(e => e.Effect);
        Assert.Equal(expected, LastPosition(directory.Path));

        // A restart rebuilds the aggregator from the journal (the count among folded changes again): one
        // more sale must move the same position on.
        await using (var restarted = new EngineHarness(17, dataDirectory: directory.Path, start: T0.AddHours(4)))
        {
            Assert.Equal(IngestStatus.Accepted, (await restarted.Engine.IngestAsync(Sale(600, 4m), IngestSources.Test, CancellationToken.None)).Status);
            await restarted.Engine.FlushAsync(CancellationToken.None);
        }
        Assert.Equal(expected - 4m, LastPosition(directory.Path));
    }

    [Fact]
    public async Task Restart_CountAmongFoldedSalesNotYetSealed_RebuiltPositionRecomputedFromJournal()
    {
        using var directory = new TempDirectory("gateway");
        var countAt = T0.AddSeconds(10);
        var expected = 300m;
        // Rows wait for the send interval (the clock stands still): nothing is sealed before the stop.
        var holdRows = GatewaySettings.Default with { SendInterval = TimeSpan.FromHours(1) };
        await using (var harness = new EngineHarness(17, holdRows, start: T0.AddHours(3), dataDirectory: directory.Path))
        {
            var events = new List<ReadOnlyMemory<byte>>();
            for (var i = 0; i < 400; i++)
            {
                events.Add(Sale(i, 1m));
                expected -= i >= 10 ? 1m : 0m;
            }
            Assert.All(await harness.Engine.IngestAsync(events, IngestSources.Test, CancellationToken.None), o => Assert.Equal(IngestStatus.Accepted, o.Status));
            // Stopped before anything is sealed: the restart aggregates the sales and the count from the journal.
            Assert.Equal(IngestStatus.Accepted, (await harness.Engine.IngestAsync(Count(countAt, 300m), IngestSources.Test, CancellationToken.None)).Status);
        }
        Assert.Empty(Outbox.Read(directory.Path).SelectMany(b => b.Inventory));

        await using (var restarted = new EngineHarness(17, dataDirectory: directory.Path, start: T0.AddHours(3)))
        {
            await restarted.Engine.FlushAsync(CancellationToken.None);
        }
        Assert.Equal(expected, LastPosition(directory.Path));
    }

    [Fact]
    public async Task IngestAsync_CountAmongSalesRetentionRemoved_JournalKnowsTheHistoryIsIncompleteAndTheCountIsApplied()
    {
        using var directory = new TempDirectory("gateway");
        await using (var harness = new EngineHarness(17, dataDirectory: directory.Path, start: T0.AddHours(3)))
        {
            var events = Enumerable.Range(0, 300).Select(i => (ReadOnlyMemory<byte>)Sale(i, 1m)).ToList();
            Assert.All(await harness.Engine.IngestAsync(events, IngestSources.Test, CancellationToken.None), o => Assert.Equal(IngestStatus.Accepted, o.Status));
            await harness.Engine.FlushAsync(CancellationToken.None);
            // Past the retention time: the sealed sales leave the journal, the folded sum stays in memory.
            harness.Time.Advance(TimeSpan.FromDays(GatewaySettings.Default.RetentionDays + 1));
            await harness.Engine.MaintainAsync(CancellationToken.None);
            using (var journal = new GatewayJournal(directory.Path))
            {
                Assert.Equal(0, journal.CountEvents());
                Assert.Equal(T0.AddSeconds(299).ToUnixTimeMilliseconds(), journal.RemovedEventsThroughTs);
            }
            // The count cannot be recomputed (its sales are gone): applied all the same, the loop goes on.
            Assert.Equal(IngestStatus.Accepted, (await harness.Engine.IngestAsync(Count(T0.AddSeconds(10), 500m), IngestSources.Test, CancellationToken.None)).Status);
            Assert.Equal(IngestStatus.Accepted, (await harness.Engine.IngestAsync(Sale(1_000, 1m), IngestSources.Test, CancellationToken.None)).Status);
            await harness.Engine.FlushAsync(CancellationToken.None);
        }
        var position = LastPosition(directory.Path);
        // Applied as if taken after the folded sales: the count less some of the sales kept one by one, and the new sale.
        Assert.InRange(position, 500m - 2 * RetailEdge.Aggregation.RunningInventory.ExactChangesPerItem - 1m, 500m - 1m);
    }
}
