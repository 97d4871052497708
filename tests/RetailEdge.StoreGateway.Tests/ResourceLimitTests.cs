using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using RetailEdge.Contracts.Events;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Tests;

/// <summary>
/// The gateway process under resource pressure: a full journal volume (a real tmpfs filled to the
/// last byte) and a heap capped as in a 256 MB container.
/// </summary>
public class ResourceLimitTests
{
    private static ByteArrayContent Ndjson(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        return content;
    }

    private static byte[] Baskets(string prefix, int count, int linesEach)
    {
        var body = new MemoryStream();
        var ts = DateTimeOffset.UtcNow.AddMinutes(-1);
        for (var i = 0; i < count; i++)
        {
            body.Write(StoreEventJson.Serialize(new BasketEvent
            {
                Id = prefix + i.ToString(CultureInfo.InvariantCulture), StoreId = 17, Ts = ts, LaneId = "L1", Channel = Channels.Store,
                Lines = [.. Enumerable.Range(1, linesEach).Select(n => new BasketLine(n, 1m, 1.25m))],
            }));
            body.WriteByte((byte)'\n');
        }
        return body.ToArray();
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Process_JournalVolumeFull_503DiskFullHealthSaysSoAndRestartsDrainOnly()
    {
        using var volume = new SmallFileSystem(12 * 1024 * 1024);
        var data = volume.Combine("data");
        var port = FreePort.Next();
        // disk_full below 6 MB free, so that on this 12 MB volume the gateway cannot make room by itself
        // (it would need 2 × 6 MB + the 2 MB reserve free; deleting what was delivered and truncating the WAL
        // freed the 10 MB that 4 MB would have needed): the restart below stays drain-only.
        var limits = new Dictionary<string, string> { ["StoreGateway__MinFreeDiskBytes"] = "6291456", ["StoreGateway__DiskReserveBytes"] = "2097152" };
        var acknowledged = 0;
        await using (var process = GatewayProcess.Start(data, port, limits))
        {
            using var http = GatewayProcess.CreateClient(port);
            await GatewayProcess.WaitHealthyAsync(http, process);
            HttpResponseMessage? refused = null;
            for (var request = 0; refused is null && request < 2000; request++)
            {
                var response = await http.PostAsync("events", Ndjson(Baskets($"r{request}-", 200, 3)));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    acknowledged += body.RootElement.GetProperty("accepted").GetInt32();
                    response.Dispose();
                    continue;
                }
                refused = response;
            }
            Assert.NotNull(refused);
            using (refused)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.NotNull(refused.Headers.RetryAfter);
                using var reason = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
                Assert.Equal("disk_full", reason.RootElement.GetProperty("reason").GetString());
            }
            await GatewayModuleTestsSupport.WaitUntilAsync(() => Health(http).Status == "disk_full", 30_000);
        }

        // Restarted on the full volume (something else took the last bytes): it starts, serves health, refuses ingest.
        var filler = volume.Fill();
        await using (var process = GatewayProcess.Start(data, port, limits))
        {
            using var http = GatewayProcess.CreateClient(port);
            await GatewayProcess.WaitHealthyAsync(http, process);
            Assert.Equal("disk_full", Health(http).Status);
            using var refused = await http.PostAsync("events", Ndjson(Baskets("after-", 1, 1)));
            var text = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{refused.StatusCode} {text} {volume.FreeBytes}");
            Assert.Contains("disk_full", text, StringComparison.Ordinal);
        }
        File.Delete(filler);

        // Nothing acknowledged was lost: each event is in a sealed batch or still journaled unsealed
        // (on a full disk, sealed events may be deleted to make room: their batches hold them).
        Assert.True(acknowledged > 1000, $"only {acknowledged} acknowledged");
        var inBatches = RetailEdge.StoreGateway.Testing.Outbox.Read(data).Sum(b => b.Baskets.Count);
        using var journal = new RetailEdge.StoreGateway.Core.GatewayJournal(data);
        Assert.Equal(acknowledged, inBatches + journal.ReadEvents().Count(e => !e.IsSealed));
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Process_HeapCappedLikeA256MbContainer_FourMaxSizeRequestsNoOomOverBudget503()
    {
        using var directory = new TempDirectory("gateway-memory");
        var port = FreePort.Next();
        var limits = new Dictionary<string, string>
        {
            // The container limit of the manifest (Memory 268435456) as the GC sees it.
            ["DOTNET_GCHeapHardLimit"] = "0x10000000",
        };
        await using var process = GatewayProcess.Start(directory.Path, port, limits);
        using var http = GatewayProcess.CreateClient(port, TimeSpan.FromMinutes(3));
        await GatewayProcess.WaitHealthyAsync(http, process);
        var rssBefore = ResidentBytes(process.Id);

        // Four bodies just under the 16 MB request limit, 10,000 events each (the per-request maximum), all at once.
        var bodies = Enumerable.Range(0, 4).Select(i => Baskets($"m{i}-", 10_000, 36)).ToList();
        Assert.All(bodies, b => Assert.InRange(b.Length, 12_000_000, 16 * 1024 * 1024));
        var responses = await Task.WhenAll(bodies.Select(b => http.PostAsync("events", Ndjson(b))));
        var rssAfter = ResidentBytes(process.Id);
        var peak = PeakResidentBytes(process.Id);

        var codes = responses.Select(r => r.StatusCode).ToList();
        Assert.All(codes, c => Assert.True(c is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, c.ToString()));
        Assert.Contains(HttpStatusCode.OK, codes);
        foreach (var busy in responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable))
        {
            Assert.NotNull(busy.Headers.RetryAfter);
            Assert.Contains("busy", await busy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        // 100,000 empty objects in 300 KB: refused as too many events, without parsing them all.
        var empties = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{}\n", 100_000)));
        using (var tooMany = await http.PostAsync("events", Ndjson(empties)))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooMany.StatusCode);
        }
        var rssEnd = ResidentBytes(process.Id);
        Assert.False(process.HasExited, process.Output);
        Assert.DoesNotContain("OutOfMemory", process.Output, StringComparison.Ordinal);
        Assert.True(peak < 256L * 1024 * 1024, $"peak RSS {peak / 1048576} MB");
        foreach (var response in responses)
        {
            response.Dispose();
        }
        Console.WriteLine($"RSS before {rssBefore / 1048576} MB, after four max-size requests {rssAfter / 1048576} MB, after 100,000 {{}} lines {rssEnd / 1048576} MB, peak {peak / 1048576} MB; answers {string.Join(",", codes.Select(c => (int)c))}");
    }

    private static (string Status, long Accepted) Health(HttpClient http)
    {
        using var health = JsonDocument.Parse(http.GetStringAsync("health").GetAwaiter().GetResult());
        return (health.RootElement.GetProperty("status").GetString()!, health.RootElement.GetProperty("accepted").GetInt64());
    }

    private static long ResidentBytes(int pid) => StatusKilobytes(pid, "VmRSS:") * 1024;

    private static long PeakResidentBytes(int pid) => StatusKilobytes(pid, "VmHWM:") * 1024;

    private static long StatusKilobytes(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
