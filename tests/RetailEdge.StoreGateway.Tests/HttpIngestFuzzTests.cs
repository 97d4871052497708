using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using RetailEdge.Contracts.Events;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Tests;

/// <summary>Raw-byte fuzzing of HTTP ingest through the real host: every body gets an answer with a status it documents, never a 500 or a hang.</summary>
public class HttpIngestFuzzTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 12, 0, 0, TimeSpan.FromHours(1));

    [Fact]
    [Trait("Category", "Fault")]
    public async Task PostEvents_RawByteFuzz_EveryBodyAnsweredPerEventOr413NeverA500()
    {
        using var directory = new TempDirectory("gateway-fuzz");
        await using var host = await GatewayHost.StartAsync(directory.Path, Now);
        using var http = host.CreateClient();
        http.Timeout = TimeSpan.FromSeconds(60);
        var seeds = Enumerable.Range(0, 20).Select(i => PoisonEventTests.Weighing("fz-" + i)).Append(StoreEventJson.Serialize(new BasketEvent
        {
            Id = "fz-b", StoreId = 1, Ts = Now.AddMinutes(-1), LaneId = "L1", Channel = Channels.Store, Lines = [new BasketLine(5, 1m, 1m)],
        })).ToList();
        var fuzz = new RawFuzz(4004, seeds);
        var random = new Random(4004);
        var cases = RawFuzz.Cases(2_000);
        var statuses = new Dictionary<HttpStatusCode, int>();
        var events = 0;
        for (var done = 0; done < cases;)
        {
            // One to eight fuzz cases per body, as JSON lines or one array-looking run of bytes.
            var parts = Enumerable.Range(0, Math.Min(random.Next(1, 9), cases - done)).Select(_ => fuzz.Next()).ToList();
            done += parts.Count;
            var body = new MemoryStream();
            foreach (var part in parts)
            {
                body.Write(part);
                body.WriteByte((byte)'\n');
            }
            using var content = new ByteArrayContent(body.ToArray());
            content.Headers.ContentType = new MediaTypeHeaderValue(random.Next(2) == 0 ? "application/json" : "application/x-ndjson");
            using var response = await http.PostAsync("events", content);
            statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.RequestEntityTooLarge, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            if (response.StatusCode == HttpStatusCode.OK)
            {
                // Each result is one event of the body (a fuzz case may itself hold line breaks or be an array).
                var results = answer.RootElement.GetProperty("results").GetArrayLength();
                Assert.Equal(results, answer.RootElement.GetProperty("accepted").GetInt32() + answer.RootElement.GetProperty("rejected").GetInt32()
                    + answer.RootElement.GetProperty("duplicates").GetInt32() + answer.RootElement.GetProperty("dropped").GetInt32());
                events += results;
            }
        }
        var status = await host.Engine.GetStatusAsync(CancellationToken.None);
        // Every event the answers counted is journaled or quarantined (duplicates count as rejected).
        Assert.Equal(events, status.Accepted + status.Rejected);
        Console.WriteLine($"HTTP fuzz: {cases:N0} cases, {events:N0} events answered, statuses {string.Join(", ", statuses.Select(s => $"{(int)s.Key}×{s.Value}"))}");
    }
}
