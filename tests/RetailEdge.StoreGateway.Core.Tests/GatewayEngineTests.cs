using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Reference;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Contracts.Twin;
using RetailEdge.Contracts.Validation;
using RetailEdge.Simulator;
using RetailEdge.StoreGateway.Core;
using RetailEdge.StoreGateway.Testing;

namespace RetailEdge.StoreGateway.Core.Tests;

public class GatewayEngineTests
{
    private static StoreSimulator Simulator(string profile, TimeSpan duration, FaultSettings faults, int seed = 11) =>
        new(new SimulationOptions { Profile = profile, Stores = 1, Duration = duration, Seed = seed, Faults = faults });

    [Fact]
    public async Task IngestAsync_SimulatedDayWithFaults_BatchSumsEqualValidEventsAndFaultsQuarantined()
    {
        var simulator = Simulator("small", TimeSpan.FromDays(1), FaultSettings.Heavy);
        var events = simulator.Generate().ToList();
        await using var harness = new EngineHarness(1);
        var reference = ReferenceDataCodec.Serialize(simulator.Catalog.ReferenceSetFor(1));
        await harness.Engine.ApplyReferenceDataAsync(reference, ReferenceDataCodec.VersionOf(reference), CancellationToken.None);

        var results = await harness.FeedAsync(events);
        await harness.Engine.FlushAsync(CancellationToken.None);

        foreach (var (e, outcome) in results)
        {
            if (e.ExpectedReason is null)
            {
                Assert.True(outcome.Status == IngestStatus.Accepted, $"{e.Fault} {outcome.Reason} {outcome.Detail}");
            }
            else if (e.ExpectedReason == ReasonCodes.MissingFieldPrefix)
            {
                Assert.StartsWith(ReasonCodes.MissingFieldPrefix, outcome.Reason);
            }
            else
            {
                Assert.Equal(e.ExpectedReason, outcome.Reason);
            }
        }
        var quarantine = await harness.Engine.ReadQuarantineAsync(CancellationToken.None);
        var faults = events.Where(e => e.ExpectedReason is not null).ToList();
        Assert.True(faults.Count > 10, "the heavy fault profile should inject faults");
        Assert.Equal(faults.Count, quarantine.Count);
        // Each fault is kept as its size and hash, with a bounded sample of its bytes (oversized ones too).
        Assert.Equal(faults.Select(e => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(e.Json))).Order(StringComparer.Ordinal),
            quarantine.Select(q => Convert.ToHexString(q.Sha256!)).Order(StringComparer.Ordinal));
        Assert.All(quarantine, q => Assert.True(q.Sample.Length <= JournalEntry.QuarantineSampleBytes && q.Sample.Length <= q.Size));

        var batches = Outbox.Read(harness.DataDirectory);
        var valid = events.Where(e => e.ExpectedReason is null).Select(e => e.Event!).ToList();
        Assert.Equal(Totals.FromEvents(valid), Totals.FromBatches(batches));
        Assert.Equal(Enumerable.Range(1, batches.Count).Select(i => (long)i), batches.Select(b => b.Seq));
        Assert.Equal(faults.Count, batches.Sum(b => b.Rejects.Count));
        Assert.Equal(events.Count(e => e.Fault == FaultKinds.Duplicate), (await harness.Engine.GetStatusAsync(CancellationToken.None)).Duplicates);
        Assert.Equal(valid.OfType<BasketEvent>().Count(), batches.Sum(b => b.Baskets.Count));
    }

    [Fact]
    public async Task IngestAsync_SimulatedWeekWithLateSnapshotsAndLateEvents_LastInventoryRowsEqualLatestCountPlusChanges()
    {
        var faults = FaultSettings.Default with { LateSnapshot = 0.5, Late = 0.01, OutOfOrder = 0.01 };
        var simulator = Simulator("small", TimeSpan.FromDays(7), faults, seed: 5);
        var events = simulator.Generate().ToList();
        Assert.Contains(events, e => e.Fault == FaultKinds.LateSnapshot);
        Assert.Contains(events, e => e.Fault == FaultKinds.Late);
        await using var harness = new EngineHarness(1);
        var reference = ReferenceDataCodec.Serialize(simulator.Catalog.ReferenceSetFor(1));
        await harness.Engine.ApplyReferenceDataAsync(reference, ReferenceDataCodec.VersionOf(reference), CancellationToken.None);

        await harness.FeedAsync(events, groupSpan: TimeSpan.FromMinutes(15));
        await harness.Engine.FlushAsync(CancellationToken.None);

        var valid = events.Where(e => e.ExpectedReason is null).Select(e => e.Event!).ToList();
        var expected = Totals.ExpectedInventory(valid);
        var actual = Totals.LastInventoryRows(Outbox.Read(harness.DataDirectory));
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task Restart_UnsealedEvents_OpenWindowsRebuiltAndNothingCountedTwice()
    {
        var simulator = Simulator("small", TimeSpan.FromHours(12), FaultSettings.Default);
        var events = simulator.Generate().ToList();
        using var directory = new RetailEdge.Testing.TempDirectory("gateway");
        var half = events.Count / 2;
        long sealedBefore;
        int openBefore;
        await using (var first = new EngineHarness(1, dataDirectory: directory.Path))
        {
            await first.FeedAsync(events.Take(half));
            var status = await first.Engine.GetStatusAsync(CancellationToken.None);
            sealedBefore = status.NextSeq;
            openBefore = status.OpenWindows;
        }
        Assert.True(openBefore > 0);
        await using (var second = new EngineHarness(1, dataDirectory: directory.Path, start: events[half - 1].ArrivalTime))
        {
            Assert.Equal(openBefore, second.Engine.Status.OpenWindows);
            Assert.Equal(sealedBefore, second.Engine.Status.NextSeq);
            await second.FeedAsync(events.Skip(half));
            await second.Engine.FlushAsync(CancellationToken.None);
        }

        var batches = Outbox.Read(directory.Path);
        var valid = events.Where(e => e.ExpectedReason is null).Select(e => e.Event!).ToList();
        Assert.Equal(Totals.FromEvents(valid), Totals.FromBatches(batches));
        Assert.Equal(Enumerable.Range(1, batches.Count).Select(i => (long)i), batches.Select(b => b.Seq));
    }

    [Fact]
    public async Task Batches_CarryTheJournalIdentity_KeptAcrossRestartsAndNewForANewJournal()
    {
        var events = Simulator("small", TimeSpan.FromHours(12), FaultSettings.Default).Generate().ToList();
        using var kept = new RetailEdge.Testing.TempDirectory("gateway-journal");
        using var reimaged = new RetailEdge.Testing.TempDirectory("gateway-journal-new");
        var half = events.Count / 2;
        await using (var first = new EngineHarness(1, dataDirectory: kept.Path))
        {
            await first.FeedAsync(events.Take(half));
        }
        await using (var second = new EngineHarness(1, dataDirectory: kept.Path, start: events[half - 1].ArrivalTime))
        {
            await second.FeedAsync(events.Skip(half));
            await second.Engine.FlushAsync(CancellationToken.None);
        }
        // the journal volume lost: the same store on an empty data directory
        await using (var fresh = new EngineHarness(1, dataDirectory: reimaged.Path))
        {
            await fresh.FeedAsync(events.Take(half));
            await fresh.Engine.FlushAsync(CancellationToken.None);
        }

        var keptBatches = Outbox.Read(kept.Path);
        var newBatches = Outbox.Read(reimaged.Path);
        var journal = Assert.Single(keptBatches.Select(b => b.JournalId).Distinct());
        var newJournal = Assert.Single(newBatches.Select(b => b.JournalId).Distinct());
        Assert.NotNull(journal);
        Assert.NotNull(newJournal);
        Assert.NotEqual(journal, newJournal);
        Assert.True(TelemetryBatchCodec.IsValidJournalId(journal!));
        Assert.Equal(1, newBatches[0].Seq);
        using var journalFile = new GatewayJournal(kept.Path);
        Assert.Equal(journal, journalFile.JournalId);
    }

    [Fact]
    public async Task MarkSentAsync_BatchReplayedAfterTheUplinkReadIt_StaysUnsentToGoAgain()
    {
        await using var harness = new EngineHarness(17);
        var basket = StoreEventJson.Serialize(new BasketEvent
        {
            Id = "b-1", StoreId = 17, Ts = harness.Time.GetUtcNow(), LaneId = "L1", Channel = Channels.Store, Lines = [new BasketLine(1, 1m, 2m)],
        });
        await harness.Engine.IngestAsync(basket, IngestSources.Test, CancellationToken.None);
        await harness.Engine.FlushAsync(CancellationToken.None);
        Assert.Equal(1, (await harness.Engine.GetStatusAsync(CancellationToken.None)).BufferedBatches);

        // The uplink reads seq 1 and sends it; an operator's replay of it comes before the acknowledgement is marked.
        var readIn = harness.Engine.ReplayEpoch;
        Assert.Equal(1, await harness.Engine.ReplayAsync(1, 1, CancellationToken.None));
        await harness.Engine.MarkSentAsync([1L], readIn, CancellationToken.None);
        Assert.Equal(1, (await harness.Engine.GetStatusAsync(CancellationToken.None)).BufferedBatches);

        // Read again after the replay: the acknowledgement marks it.
        await harness.Engine.MarkSentAsync([1L], harness.Engine.ReplayEpoch, CancellationToken.None);
        Assert.Equal(0, (await harness.Engine.GetStatusAsync(CancellationToken.None)).BufferedBatches);
    }

    [Fact]
    public async Task IngestAsync_SameIdTwiceInOneGroup_StoredOnceAndCountedAsDuplicate()
    {
        await using var harness = new EngineHarness(17);
        var basket = StoreEventJson.Serialize(new BasketEvent
        {
            Id = "b-1", StoreId = 17, Ts = harness.Time.GetUtcNow(), LaneId = "L1", Channel = Channels.Store, Lines = [new BasketLine(1, 1m, 2m)],
        });

        var outcomes = await harness.Engine.IngestAsync([basket, basket], IngestSources.Test, CancellationToken.None);
        var again = await harness.Engine.IngestAsync(basket, IngestSources.Test, CancellationToken.None);
        await harness.Engine.FlushAsync(CancellationToken.None);

        Assert.Equal([IngestStatus.Accepted, IngestStatus.Duplicate], outcomes.Select(o => o.Status));
        Assert.Equal(IngestStatus.Duplicate, again.Status);
        var batches = Outbox.Read(harness.DataDirectory);
        Assert.Equal(1m, batches.SelectMany(b => b.Items).Sum(r => r.Qty));
        Assert.Equal(2, (await harness.Engine.GetStatusAsync(CancellationToken.None)).Duplicates);
    }
}
