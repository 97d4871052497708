using RetailEdge.Contracts.Twin;
using RetailEdge.Simulator;
using RetailEdge.StoreGateway.Core;
using RetailEdge.StoreGateway.Testing;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Core.Tests;

/// <summary>
/// The journal on a real, small file system that fills up: ingest is refused with disk_full (never an
/// unexplained failure), status and reported properties say so, a restart on the full volume starts
/// drain-only (the backlog goes out), and ingest resumes by itself once space is freed. Nothing
/// acknowledged is lost, nothing is sent twice under two seqs.
/// </summary>
public class DiskFullTests
{
    private static GatewayEngineOptions SmallVolume(GatewayEngineOptions options) =>
        options with { MinFreeDiskBytes = 512 * 1024, DiskReserveBytes = 2 * 1024 * 1024 };

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Journal_VolumeFillsUp_DiskFullThenDrainOnlyRestartThenResumes()
    {
        using var volume = new SmallFileSystem(16 * 1024 * 1024);
        var data = volume.Combine("data");
        // Other things share the volume (logs, drop files): freeing them is what an operator does.
        var others = volume.Combine("others.log");
        await File.WriteAllBytesAsync(others, new byte[6 * 1024 * 1024]);
        var simulator = new StoreSimulator(new SimulationOptions { Profile = "reference", Stores = 1, Duration = TimeSpan.FromDays(7), Seed = 5, Faults = FaultSettings.None });
        var settings = GatewaySettings.Default with { AllowedLateness = TimeSpan.Zero };
        var acknowledgedBaskets = new HashSet<string>(StringComparer.Ordinal);
        using var stream = simulator.Generate().Chunk(200).GetEnumerator();
        DateTimeOffset now;
        var refused = 0;
        SimulatedEvent? probe = null;

        // The WAN is down (no uplink): batches pile up until the volume is full.
        await using (var harness = new EngineHarness(1, settings, dataDirectory: data, configure: SmallVolume))
        {
            while (refused < 3 && stream.MoveNext())
            {
                var group = stream.Current;
                harness.Time.SetUtcNow(group[^1].ArrivalTime);
                try
                {
                    await IngestAsync(harness, group, acknowledgedBaskets);
                }
                catch (JournalDiskFullException)
                {
                    refused++;
                    probe = group[0];
                }
            }
            Assert.True(refused == 3, $"the volume never filled up ({acknowledgedBaskets.Count} baskets journaled)");
            var status = await harness.Engine.GetStatusAsync(CancellationToken.None);
            Assert.True(status.DiskFull);
            Assert.True(status.BufferedBatches > 0);
            Assert.Contains("\"status\":\"disk_full\"", System.Text.Encoding.UTF8.GetString(harness.Module.ReportedJson()), StringComparison.Ordinal);
            now = harness.Time.GetUtcNow();
        }

        Assert.True(new FileInfo(Path.Combine(data, DiskReserve.FileName)).Length == 2 * 1024 * 1024, "no space was held in reserve: " + string.Join(", ", Directory.GetFiles(data)));

        // Something else takes the last bytes; the gateway restarts on the full volume.
        var filler = volume.Fill();
        Assert.True(volume.FreeBytes < 64 * 1024, $"{volume.FreeBytes} bytes still free");
        var sent = new List<HubMessage>();
        await using (var harness = new EngineHarness(1, settings, now, data, configure: SmallVolume))
        {
            Assert.True(harness.Engine.Status.DiskFull, "did not start drain-only");
            await Assert.ThrowsAsync<JournalDiskFullException>(() => harness.Engine.IngestAsync(probe!.Json, IngestSources.Test, CancellationToken.None));

            // The WAN is back: the backlog drains while ingest is refused.
            await harness.StartHubAsync();
            // Draining needs no disk space: every stored batch goes out even if it cannot be marked sent yet.
            var backlog = Outbox.Read(data).Select(b => b.Seq).ToHashSet();
            Assert.NotEmpty(backlog);
            await WaitUntilAsync(() => Task.FromResult(backlog.IsSubsetOf(harness.Transport.Sent.Select(m => m.Seq))),
                () => $"the backlog did not drain: {backlog.Count} stored, {harness.Transport.Sent.Count} sent, {volume.FreeBytes} bytes free");
            // Space is freed (the gateway may also have made room itself by deleting delivered data):
            // ingest resumes without anyone restarting anything.
            File.Delete(filler);
            File.Delete(others);
            await WaitUntilAsync(() => Task.FromResult(!harness.Engine.Status.DiskFull),
                () => $"disk_full did not clear: {volume.FreeBytes} bytes free; " + string.Join(", ", Directory.GetFiles(data).Select(f => $"{Path.GetFileName(f)} {new FileInfo(f).Length}")));
            Assert.True(stream.MoveNext());
            harness.Time.SetUtcNow(stream.Current[^1].ArrivalTime);
            var outcomes = await IngestAsync(harness, stream.Current, acknowledgedBaskets);
            Assert.All(outcomes, o => Assert.Equal(IngestStatus.Accepted, o.Status));
            harness.Time.SetUtcNow(harness.Time.GetUtcNow().AddDays(1));
            await harness.Engine.FlushAsync(CancellationToken.None);
            await WaitUntilAsync(async () => (await harness.Engine.GetStatusAsync(CancellationToken.None)).BufferedBatches == 0, "the last batches were not sent");
            sent.AddRange(harness.Transport.Sent);
        }

        // Every acknowledged event is in exactly one sent seq; a batch sent twice (sent, not yet marked) has one seq.
        var batches = sent.Select(Outbox.Decode).GroupBy(b => b.Seq).Select(g => g.First()).ToList();
        var stored = Outbox.Read(data);
        var all = batches.Concat(stored.Where(b => batches.All(s => s.Seq != b.Seq))).OrderBy(b => b.Seq).ToList();
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all.Select(b => b.Seq));
        var counted = all.SelectMany(b => b.Baskets).Select(b => b.Id).ToList();
        Assert.Equal(counted.Count, counted.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(acknowledgedBaskets.Order(StringComparer.Ordinal), counted.Order(StringComparer.Ordinal));
    }

    private static async Task<IReadOnlyList<IngestOutcome>> IngestAsync(EngineHarness harness, SimulatedEvent[] group, HashSet<string> acknowledgedBaskets)
    {
        var outcomes = await harness.Engine.IngestAsync(group.Select(e => (ReadOnlyMemory<byte>)e.Json).ToList(), IngestSources.Test, CancellationToken.None);
        foreach (var (e, outcome) in group.Zip(outcomes))
        {
            if (outcome.Status == IngestStatus.Accepted && e.Event is RetailEdge.Contracts.Events.BasketEvent basket)
            {
                acknowledgedBaskets.Add(basket.Id);
            }
        }
        return outcomes;
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition, string what) => WaitUntilAsync(condition, () => what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> what)
    {
        var deadline = Environment.TickCount64 + 60_000;
        while (!await condition())
        {
            Assert.True(Environment.TickCount64 < deadline, what());
            await Task.Delay(100);
        }
    }
}
