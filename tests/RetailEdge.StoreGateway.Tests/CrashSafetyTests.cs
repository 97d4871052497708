using System.Globalization;
using System.Runtime.CompilerServices;
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

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Kill_RandomPointsDuringIngestAndSealing_NothingAckedLostNothingDoubledSeqGapFree()
    {
        var random = new Random(20261121);
        var openWindowsAfterRestart = await KillRepeatedlyAsync(random, Kills, extraEnvironment: null, (generated, nextId) => NewBaskets(random, ref nextId.Value, 25, generated));

        Assert.True(openWindowsAfterRestart.Skip(1).Any(n => n > 0), "no restart found open windows to rebuild: " + string.Join(",", openWindowsAfterRestart));
    }

    /// <summary>
    /// Every post is a window of its own, an hour or more in the past and never sealed before, so the
    /// gateway seals it right after the commit that journals it (grace 0, send on seal). Each kill comes
    /// 0–5 ms after the engine logs that it queued the seal of a 3,000-event window (cut into 4 KB
    /// batches), so it lands while the job is encoded beside the writer or stored in steps. A restart
    /// that finds such due windows open again proves it did.
    /// </summary>
    [Fact]
    [Trait("Category", "Fault")]
    public async Task Kill_DuringSeal_NothingAckedLostNoSeqSkippedOrRepeated()
    {
        var random = new Random(20261205);
        var windowStart = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(1)).AddDays(-1);
        windowStart = windowStart.AddTicks(-(windowStart.DateTime.Ticks % TimeSpan.TicksPerMinute));
        var settings = new Dictionary<string, string>
        {
            ["StoreGateway__InitialSettings"] = """{"sealGraceSeconds":0,"sendIntervalSeconds":0,"maxBatchBytes":4096}""",
        };
        var openWindowsAfterRestart = await KillRepeatedlyAsync(random, Kills, settings, (generated, nextId) =>
        {
            var start = windowStart;
            windowStart = windowStart.AddMinutes(1);
            return NewBaskets(random, ref nextId.Value, 3000, generated, () => start.AddMilliseconds(random.Next(0, 60_000)));
        }, killWithinMs: 5, killOnOutput: "events and 0 alerts beside the writer");

        Assert.True(openWindowsAfterRestart.Skip(1).Count(n => n > 0) >= 3,
            "fewer than 3 restarts found due windows unsealed (kills that hit a seal): " + string.Join(",", openWindowsAfterRestart));
    }

    /// <summary>
    /// Acknowledged events are aggregated after the commit, beside the writer. Each kill comes 0–3 ms
    /// after the engine logs that it handed an acknowledged group of 3,000 events (current windows, not
    /// yet due) to the aggregation, so it lands while they are being aggregated: the restart must
    /// rebuild the same windows from the journal (every event in exactly one batch, the same totals).
    /// </summary>
    [Fact]
    [Trait("Category", "Fault")]
    public async Task Kill_BetweenCommitAndAggregation_RestartRebuildsTheSameWindows()
    {
        var random = new Random(20261206);
        var openWindowsAfterRestart = await KillRepeatedlyAsync(random, Kills, extraEnvironment: null,
            (generated, nextId) => NewBaskets(random, ref nextId.Value, 3000, generated), killWithinMs: 3, killOnOutput: "acknowledged events beside the writer");

        Assert.True(openWindowsAfterRestart.Skip(1).Count(n => n > 0) >= 3,
            "fewer than 3 restarts found open windows to rebuild: " + string.Join(",", openWindowsAfterRestart));
    }

    /// <summary>
    /// Starts the gateway process, posts batches from <paramref name="newBatch"/> and kills it with
    /// SIGKILL, <paramref name="kills"/> times; then restarts it in-process, delivers what was never
    /// acknowledged, flushes and checks the outbox: every generated event exactly once, seq gap-free.
    /// Returns the open windows each restart rebuilt.
    /// </summary>
    private static async Task<List<long>> KillRepeatedlyAsync(Random random, int kills, IReadOnlyDictionary<string, string>? extraEnvironment,
        Func<List<BasketEvent>, StrongBox<int>, List<BasketEvent>> newBatch, int killWithinMs = 15, string? killOnOutput = null)
    {
        using var directory = new TempDirectory("gateway-crash");
        var generated = new List<BasketEvent>();
        var unacknowledged = new List<BasketEvent>();
        var acknowledged = new HashSet<string>(StringComparer.Ordinal);
        var openWindowsAfterRestart = new List<long>();
        var nextId = new StrongBox<int>(0);
        var environment = new Dictionary<string, string>(extraEnvironment ?? new Dictionary<string, string>())
        {
            ["Logging__LogLevel__RetailEdge.StoreGateway.Core.GatewayEngine"] = killOnOutput is null ? "Information" : "Debug",
            ["StoreGateway__LogLevel"] = "Debug",
        };

        for (var kill = 0; kill < kills; kill++)
        {
            var port = FreePort.Next();
            await using var process = GatewayProcess.Start(directory.Path, port, environment);
            using var http = GatewayProcess.CreateClient(port);
            await GatewayProcess.WaitHealthyAsync(http, process);
            // The engine's log line of its start: windows rebuilt from unsealed events (the writer may seal them at once after).
            await process.WaitForOutputAsync("open windows rebuilt", TimeSpan.FromSeconds(30));
            var rebuilt = System.Text.RegularExpressions.Regex.Match(process.Output, @"(\d+) open windows rebuilt");
            Assert.True(rebuilt.Success, process.Output);
            openWindowsAfterRestart.Add(long.Parse(rebuilt.Groups[1].Value, CultureInfo.InvariantCulture));
            var killAt = System.Environment.TickCount64 + random.Next(150, 900);
            while (System.Environment.TickCount64 < killAt)
            {
                // Resend what was in flight at the last kill first (it may or may not be journaled).
                var batch = unacknowledged.Count > 0 ? [.. unacknowledged] : newBatch(generated, nextId);
                unacknowledged = batch;
                if (await TryPostAsync(http, batch, acknowledged))
                {
                    unacknowledged = [];
                }
            }
            // A post may be in flight right now: kill mid-request, mid-commit or mid-seal.
            var inFlight = newBatch(generated, nextId);
            var printed = killOnOutput is null ? 0 : Occurrences(process.Output, killOnOutput);
            var post = TryPostAsync(http, inFlight, acknowledged);
            var waitUntil = System.Environment.TickCount64 + 10_000;
            while (killOnOutput is not null && Occurrences(process.Output, killOnOutput) == printed && System.Environment.TickCount64 < waitUntil)
            {
                await Task.Delay(1);
            }
            await Task.Delay(random.Next(0, killWithinMs));
            process.Kill();
            if (!await post)
            {
                unacknowledged = inFlight;
            }
        }

        // Final restart in-process: rebuild, deliver what is still unacknowledged, flush, read the outbox.
        using (var engine = new GatewayEngine(new GatewayEngineOptions { StoreId = 17, GatewayId = "store017-gw", DataDirectory = directory.Path }))
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

        Assert.True(acknowledged.Count > 200, $"only {acknowledged.Count} events acknowledged");
        Assert.Subset(generated.Select(e => e.Id).ToHashSet(StringComparer.Ordinal), acknowledged);
        using (var journal = new GatewayJournal(directory.Path))
        {
            Assert.Equal(generated.Count, journal.CountEvents());
        }
        var batches = Outbox.Read(directory.Path);
        Assert.Equal(Enumerable.Range(1, batches.Count).Select(i => (long)i), batches.Select(b => b.Seq));
        Assert.Equal(Totals.FromEvents(generated), Totals.FromBatches(batches));
        Assert.Equal(generated.Count, batches.Sum(b => b.Baskets.Count));
        Assert.Equal(generated.Select(e => e.Id).Order(StringComparer.Ordinal), batches.SelectMany(b => b.Baskets).Select(b => b.Id).Order(StringComparer.Ordinal));
        return openWindowsAfterRestart;
    }

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    internal static List<BasketEvent> NewBaskets(Random random, ref int nextId, int count, List<BasketEvent> generated, Func<DateTimeOffset>? ts = null)
    {
        var now = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(1));
        var baskets = new List<BasketEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var basket = new BasketEvent
            {
                Id = "k-" + (nextId++).ToString(CultureInfo.InvariantCulture),
                StoreId = 17,
                Ts = ts?.Invoke() ?? now.AddMilliseconds(-random.Next(0, 90_000)),
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
