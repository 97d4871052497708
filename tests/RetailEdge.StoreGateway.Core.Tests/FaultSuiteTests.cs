using System.Diagnostics;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Twin;
using RetailEdge.Simulator;
using RetailEdge.StoreGateway.Core;
using RetailEdge.StoreGateway.Testing;
using RetailEdge.Testing;
using Xunit.Abstractions;

namespace RetailEdge.StoreGateway.Core.Tests;

/// <summary>
/// The gateway's fault suite (bounded here, scaled up by RETAILEDGE_SOAK=1): a long WAN outage at
/// reference-store load in simulated time, clock jumps, and raw-byte fuzzing of the store-broker
/// payload path. Each asserts nothing acknowledged lost, nothing doubled, every drop counted.
/// </summary>
public class FaultSuiteTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Fault")]
    public async Task WanOutage_ReferenceStoreLoadForHours_BacklogWithinDiskBudgetThenDrainsCompletely()
    {
        var hours = Soak.Scale(4, 72);
        var simulator = new StoreSimulator(new SimulationOptions { Profile = "reference", Stores = 1, Duration = TimeSpan.FromHours(hours), Start = new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero), Seed = 72, Faults = FaultSettings.Default });
        var events = simulator.Generate().ToList();
        var settings = GatewaySettings.Default;
        var budget = settings.DiskBudgetMb * 1024L * 1024L;
        await using var harness = new EngineHarness(1, settings, start: events[0].ArrivalTime);
        var payload = RetailEdge.Contracts.Reference.ReferenceDataCodec.Serialize(simulator.Catalog.ReferenceSetFor(1));
        await harness.Engine.ApplyReferenceDataAsync(payload, RetailEdge.Contracts.Reference.ReferenceDataCodec.VersionOf(payload), CancellationToken.None);
        var (backlog, maxUsed) = await harness.FeedOfflineAsync(events, maintainEveryGroups: 50);
        Assert.Empty(harness.Transport.Sent);
        Assert.True(backlog.JournalBytes <= budget && maxUsed <= budget, $"{Math.Max(backlog.JournalBytes, maxUsed)} > {budget}");
        Assert.Equal(0, backlog.Dropped);

        var drain = Stopwatch.StartNew();
        harness.Transport.Online = true;
        await GatewayModuleTests.WaitUntilAsync(() => harness.Transport.Sent.Count == backlog.BufferedBatches, 600_000);
        drain.Stop();

        var sent = harness.Transport.Sent;
        Assert.Equal(sent.Count, sent.Select(m => m.Seq).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, sent.Count).Select(i => (long)i), sent.Select(m => m.Seq).Order());
        var valid = events.Where(e => e.ExpectedReason is null).Select(e => e.Event!).ToList();
        var expected = Totals.FromEvents(valid);
        var actual = Totals.FromBatches(sent.Select(Outbox.Decode));
        Assert.True(expected.SequenceEqual(actual), string.Join("; ", expected.Keys.Union(actual.Keys).Where(k => expected.GetValueOrDefault(k) != actual.GetValueOrDefault(k)).Take(5).Select(k => $"{k}: {expected.GetValueOrDefault(k)} vs {actual.GetValueOrDefault(k)}")));
        var rejectedCounted = sent.Select(Outbox.Decode).Sum(b => b.Rejects.Count);
        Assert.Equal(events.Count(e => e.ExpectedReason is not null), rejectedCounted);
        output.WriteLine($"WAN outage {hours} h: {events.Count:N0} events, backlog {backlog.BufferedBatches:N0} batches, journal {backlog.JournalBytes / 1048576.0:F1} MB (peak {maxUsed / 1048576.0:F1} MB) of a {settings.DiskBudgetMb} MB budget, drained in {drain.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Clock_JumpsBackwardAndForward_NothingLostNothingDoubledEveryRejectCounted()
    {
        var simulator = new StoreSimulator(new SimulationOptions { Profile = "reference", Stores = 1, Duration = TimeSpan.FromHours(Soak.Scale(6, 48)), Start = new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero), Seed = 9, Faults = FaultSettings.None });
        var events = simulator.Generate().ToList();
        await using var harness = new EngineHarness(1, start: events[0].ArrivalTime);
        await harness.StartHubAsync();
        var random = new Random(9);
        var skew = TimeSpan.Zero;
        var outcomes = new List<(SimulatedEvent Event, IngestOutcome Outcome)>();
        foreach (var group in events.Chunk(100))
        {
            // Now and then the gateway's clock jumps: back up to two hours (NTP correction), or ahead a day and back.
            switch (random.Next(12))
            {
                case 0:
                    skew = -TimeSpan.FromMinutes(random.Next(1, 120));
                    break;
                case 1:
                    skew = TimeSpan.FromDays(1);
                    break;
                case 2:
                    skew = TimeSpan.Zero;
                    break;
                default:
                    break;
            }
            harness.Time.SetUtcNow(group[^1].ArrivalTime + skew);
            var results = await harness.Engine.IngestAsync(group.Select(e => (ReadOnlyMemory<byte>)e.Json).ToList(), IngestSources.Test, CancellationToken.None);
            outcomes.AddRange(group.Zip(results));
        }
        harness.Time.SetUtcNow(events[^1].ArrivalTime + TimeSpan.FromDays(2));
        await harness.Engine.FlushAsync(CancellationToken.None);
        // Engine.Status is the snapshot of the last engine step and can still predate the flush's
        // batches; the engine's own answer is the one to wait on.
        var status = await harness.Engine.GetStatusAsync(CancellationToken.None);
        for (var deadline = Environment.TickCount64 + 60_000; status.BufferedBatches > 0 && Environment.TickCount64 < deadline;
            status = await harness.Engine.GetStatusAsync(CancellationToken.None))
        {
            await Task.Delay(20);
        }
        Assert.Equal(0, status.BufferedBatches);

        var accepted = outcomes.Where(o => o.Outcome.Status == IngestStatus.Accepted).Select(o => o.Event.Event!).ToList();
        var rejected = outcomes.Where(o => o.Outcome.Status == IngestStatus.Rejected).ToList();
        // A clock that went back makes recent events look like the future: rejected with a reason, counted, never silently lost.
        Assert.All(rejected, r => Assert.Equal("future_timestamp", r.Outcome.Reason));
        Assert.Equal(events.Count, accepted.Count + rejected.Count);
        var batches = harness.Transport.Sent.Select(Outbox.Decode).GroupBy(b => b.Seq).Select(g => g.First()).ToList();
        Assert.Equal(Enumerable.Range(1, batches.Count).Select(i => (long)i), batches.Select(b => b.Seq).Order());
        Assert.Equal(Totals.FromEvents(accepted), Totals.FromBatches(batches));
        Assert.Equal(rejected.Count, batches.Sum(b => b.Rejects.Count));
        Assert.Equal(rejected.Count, status.Rejected);
        output.WriteLine($"clock jumps: {events.Count} events, {accepted.Count} accepted, {rejected.Count} rejected as future_timestamp, {batches.Count} batches");
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task StoreBrokerPayloads_RawByteFuzz_EveryMessageAnsweredQuarantinedAndCounted()
    {
        var start = new DateTimeOffset(2026, 11, 2, 12, 0, 0, TimeSpan.Zero);
        await using var harness = new EngineHarness(1, start: start);
        var seeds = new StoreSimulator(new SimulationOptions { Profile = "small", Stores = 1, Duration = TimeSpan.FromDays(1), Seed = 4, Faults = FaultSettings.None })
            .Generate().Take(50).Select(e => e.Json).ToList();
        var fuzz = new RawFuzz(3003, seeds);
        var cases = RawFuzz.Cases(3_000);
        var answered = 0;
        var counts = new Dictionary<IngestStatus, int>();
        for (var done = 0; done < cases;)
        {
            // As the store-broker ingest does: one engine call per message, many in flight, answered in order.
            var batch = Enumerable.Range(0, Math.Min(256, cases - done)).Select(_ => fuzz.Next()).ToList();
            var pending = batch.Select(raw => harness.Engine.IngestAsync(raw, IngestSources.Mqtt, CancellationToken.None)).ToList();
            foreach (var outcome in await Task.WhenAll(pending).WaitAsync(TimeSpan.FromMinutes(2)))
            {
                answered++;
                counts[outcome.Status] = counts.GetValueOrDefault(outcome.Status) + 1;
                Assert.True(outcome.Status == IngestStatus.Accepted || outcome.Reason is not null);
            }
            done += batch.Count;
        }
        Assert.Equal(cases, answered);
        var status = await harness.Engine.GetStatusAsync(CancellationToken.None);
        var quarantined = await harness.Engine.ReadQuarantineAsync(CancellationToken.None);
        Assert.Equal(counts.GetValueOrDefault(IngestStatus.Accepted), status.Accepted);
        Assert.Equal(counts.GetValueOrDefault(IngestStatus.Rejected) + counts.GetValueOrDefault(IngestStatus.Duplicate), quarantined.Count);
        Assert.Equal(quarantined.Count, status.Rejected);
        Assert.All(quarantined, q => Assert.True(q.Sample.Length <= JournalEntry.QuarantineSampleBytes));
        output.WriteLine($"store-broker fuzz: {cases:N0} messages: {string.Join(", ", counts.Select(c => $"{c.Key} {c.Value:N0}"))}");
    }
}
