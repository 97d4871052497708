using System.Globalization;
using System.Text;
using System.Text.Json;
using RetailEdge.Contracts.Events;
using RetailEdge.StoreGateway.Core;
using RetailEdge.StoreGateway.Testing;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Tests;

/// <summary>
/// Runs the built StoreGateway as a child process and kills it with SIGKILL at random points while
/// events stream in over HTTP and batches are sealed, again and again. Whatever was acknowledged
/// must survive, nothing may be counted twice, seq must stay gap-free and open windows must be
/// rebuilt from the journal.
/// </summary>
public class CrashSafetyTests
{
    /// <summary>20 kills; 200 in the long form (RETAILEDGE_SOAK=1).</summary>
    private static readonly int Kills = Soak.Scale(20, 200);

    /// <summary>Both journal stores go through the same kills (the comparison in BENCHMARKS.md).</summary>
    [Theory]
    [InlineData(JournalKind.Sqlite)]
    [InlineData(JournalKind.LiteDb)]
    [Trait("Category", "Fault")]
    public async Task Kill_RandomPointsDuringIngestAndSealing_NothingAckedLostNothingDoubledSeqGapFree(JournalKind journalKind)
    {
        var journalSetting = new Dictionary<string, string> { ["StoreGateway__Journal"] = journalKind.ToString() };
        using var directory = new TempDirectory("gateway-crash");
        var random = new Random(20261121);
        var generated = new List<BasketEvent>();
        var unacknowledged = new List<BasketEvent>();
        var acknowledged = new HashSet<string>(StringComparer.Ordinal);
        var openWindowsAfterRestart = new List<long>();
        var nextId = 0;

        for (var kill = 0; kill < Kills; kill++)
        {
            var port = FreePort.Next();
            await using var process = GatewayProcess.Start(directory.Path, port, journalSetting);
            using var http = GatewayProcess.CreateClient(port);
            using (var health = JsonDocument.Parse(await GatewayProcess.WaitHealthyAsync(http, process)))
            {
                openWindowsAfterRestart.Add(health.RootElement.GetProperty("openWindows").GetInt64());
            }
            var killAt = System.Environment.TickCount64 + random.Next(150, 900);
            while (System.Environment.TickCount64 < killAt)
            {
                // Resend what was in flight at the last kill first (it may or may not be journaled).
                var batch = unacknowledged.Count > 0 ? [.. unacknowledged] : NewBaskets(random, ref nextId, 25, generated);
                unacknowledged = batch;
                if (await TryPostAsync(http, batch, acknowledged))
                {
                    unacknowledged = [];
                }
            }
            // A post may be in flight right now: kill mid-request, mid-commit or mid-seal.
            var inFlight = NewBaskets(random, ref nextId, 25, generated);
            var post = TryPostAsync(http, inFlight, acknowledged);
            await Task.Delay(random.Next(0, 15));
            process.Kill();
            if (!await post)
            {
                unacknowledged = inFlight;
            }
        }

        // Final restart in-process: rebuild, deliver what is still unacknowledged, flush, read the outbox.
        using (var engine = new GatewayEngine(new GatewayEngineOptions { StoreId = 17, GatewayId = "store017-gw", DataDirectory = directory.Path, Journal = journalKind }))
        {
            using var stop = new CancellationTokenSource();
            var loop = Task.Run(() => engine.RunAsync(stop.Token));
            if (unacknowledged.Count > 0)
            {
                var outcomes = await engine.IngestAsync(unacknowledged.Select(e => (ReadOnlyMemory<byte>)StoreEventJson.Serialize(e)).ToList(), IngestSources.Test, CancellationToken.None);
                Assert.All(outcomes, o => Assert.True(o.Status is IngestStatus.Accepted or IngestStatus.Duplicate));
            }
            await engine.FlushAsync(CancellationToken.None);
            await stop.CancelAsync();
            await loop;
        }

        Assert.True(openWindowsAfterRestart.Skip(1).Any(n => n > 0), "no restart found open windows to rebuild: " + string.Join(",", openWindowsAfterRestart));
        Assert.True(acknowledged.Count > 200, $"only {acknowledged.Count} events acknowledged");
        using (var journal = GatewayJournals.Open(journalKind, directory.Path))
        {
            Assert.Equal(generated.Count, journal.CountEvents());
        }
        var batches = Outbox.Read(directory.Path, journalKind);
        Assert.Equal(Enumerable.Range(1, batches.Count).Select(i => (long)i), batches.Select(b => b.Seq));
        Assert.Equal(Totals.FromEvents(generated), Totals.FromBatches(batches));
        Assert.Equal(generated.Count, batches.Sum(b => b.Baskets.Count));
        Assert.Equal(generated.Select(e => e.Id).Order(StringComparer.Ordinal), batches.SelectMany(b => b.Baskets).Select(b => b.Id).Order(StringComparer.Ordinal));
    }

    internal static List<BasketEvent> NewBaskets(Random random, ref int nextId, int count, List<BasketEvent> generated)
    {
        var now = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(1));
        var baskets = new List<BasketEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var basket = new BasketEvent
            {
                Id = "k-" + (nextId++).ToString(CultureInfo.InvariantCulture),
                StoreId = 17,
                Ts = now.AddMilliseconds(-random.Next(0, 90_000)),
                LaneId = "L" + random.Next(1, 5).ToString(CultureInfo.InvariantCulture),
                Channel = Channels.Store,
                Lines = [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => new BasketLine(random.Next(1, 40), random.Next(1, 4), 1.25m + random.Next(0, 5)))],
            };
            baskets.Add(basket);
            generated.Add(basket);
        }
        return baskets;
    }

    private static async Task<bool> TryPostAsync(HttpClient http, List<BasketEvent> batch, HashSet<string> acknowledged)
    {
        var body = new StringBuilder();
        foreach (var e in batch)
        {
            body.Append(Encoding.UTF8.GetString(StoreEventJson.Serialize(e))).Append('\n');
        }
        try
        {
            using var response = await http.PostAsync("events", new StringContent(body.ToString(), Encoding.UTF8, "application/x-ndjson"));
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }
            using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
            foreach (var result in document.RootElement.GetProperty("results").EnumerateArray())
            {
                var status = result.GetProperty("status").GetString();
                Assert.True(status is "accepted" or "duplicate", status);
                acknowledged.Add(result.GetProperty("id").GetString()!);
            }
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return false;
        }
    }
}
