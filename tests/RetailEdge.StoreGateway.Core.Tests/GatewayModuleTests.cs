using System.Net;
using System.Text;
using System.Text.Json;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Reference;
using RetailEdge.Contracts.Twin;
using RetailEdge.StoreGateway.Core;
using RetailEdge.StoreGateway.Testing;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Core.Tests;

public class GatewayModuleTests
{
    private static byte[] Basket(string id, DateTimeOffset ts, long item = 1, decimal qty = 1m, decimal price = 2m) => StoreEventJson.Serialize(new BasketEvent
    {
        Id = id, StoreId = 17, Ts = ts, LaneId = "L1", Channel = Channels.Store, Lines = [new BasketLine(item, qty, price)],
    });

    private static JsonElement LastReported(InMemoryHubTransport transport) => JsonDocument.Parse(transport.Reported[^1]).RootElement;

    [Theory]
    [InlineData("""{"windowSeconds":"60"}""", "windowSeconds")]
    [InlineData("""{"windowSeconds":-60}""", "windowSeconds")]
    [InlineData("""{"sendIntervalSeconds":30,"compression":7}""", "compression")]
    [InlineData(null, "32")]
    public async Task OnDesiredPropertiesAsync_BadPatch_RejectedReportedAndLastGoodSettingsKept(string? patch, string expectedInError)
    {
        patch ??= "{\"junk\":\"" + new string('x', 40 * 1024) + "\"}";
        await using var harness = new EngineHarness(17);
        await harness.StartHubAsync();
        await harness.Transport.PushDesiredAsync("""{"sendIntervalSeconds":120,"$version":2}""");
        Assert.Equal(TimeSpan.FromSeconds(120), harness.Engine.Settings.SendInterval);

        await harness.Transport.PushDesiredAsync(patch);
        await harness.Module.ReportIfChangedAsync(CancellationToken.None);

        Assert.Contains(expectedInError, harness.Module.ConfigError, StringComparison.Ordinal);
        var reported = LastReported(harness.Transport);
        Assert.Contains(expectedInError, reported.GetProperty("configError").GetString(), StringComparison.Ordinal);
        Assert.Equal("degraded", reported.GetProperty("status").GetString());
        Assert.Equal(TimeSpan.FromSeconds(120), harness.Engine.Settings.SendInterval);
        Assert.Equal(TimeSpan.FromSeconds(60), harness.Engine.Settings.Window);
        // Still running: events are accepted and sealed on the last good settings.
        var outcome = await harness.Engine.IngestAsync(Basket("after-bad-patch", harness.Time.GetUtcNow()), IngestSources.Test, CancellationToken.None);
        Assert.Equal(IngestStatus.Accepted, outcome.Status);
        Assert.Equal(1, await harness.Engine.FlushAsync(CancellationToken.None));
        // A good patch clears the error.
        await harness.Transport.PushDesiredAsync("""{"windowSeconds":300}""");
        await harness.Module.ReportIfChangedAsync(CancellationToken.None);
        Assert.Equal(JsonValueKind.Null, LastReported(harness.Transport).GetProperty("configError").ValueKind);
        Assert.Equal(TimeSpan.FromSeconds(300), harness.Engine.Settings.Window);
    }

    [Fact]
    public async Task OnDesiredPropertiesAsync_InlineReferenceData_AppliedPersistedAndRaisesPriceMismatch()
    {
        var payload = ReferenceDataCodec.Serialize(new ReferenceDataSet(17, [new ReferenceItem(1, 2.00m, 1.00m, 5m), new ReferenceItem(2, 3m, 1m, 0m)]));
        var pointer = ReferenceDataPointer.Inline(payload);
        using var directory = new TempDirectory("gateway");
        await using (var harness = new EngineHarness(17, dataDirectory: directory.Path))
        {
            await harness.StartHubAsync();
            await harness.Transport.PushDesiredAsync(Desired(pointer));
            Assert.Null(harness.Module.ReferenceDataError);
            Assert.Equal(pointer.Version, (await harness.Engine.GetStatusAsync(CancellationToken.None)).ReferenceDataVersion);

            var unknown = await harness.Engine.IngestAsync(Basket("u1", harness.Time.GetUtcNow(), item: 999), IngestSources.Test, CancellationToken.None);
            Assert.Equal("unknown_item", unknown.Reason);
            await harness.Engine.IngestAsync(Basket("p1", harness.Time.GetUtcNow(), item: 1, price: 2.50m), IngestSources.Test, CancellationToken.None);
            await harness.Engine.GetStatusAsync(CancellationToken.None);
            await WaitUntilAsync(() => harness.Transport.Sent.Any(m => m.IsAlert));
            var alert = Outbox.Decode(harness.Transport.Sent.First(m => m.IsAlert)).Alerts.Single();
            Assert.Equal("price_mismatch", alert.Kind);
        }
        // Reference data survives a restart (offline operation).
        await using var restarted = new EngineHarness(17, dataDirectory: directory.Path);
        Assert.Equal(pointer.Version, restarted.Engine.Status.ReferenceDataVersion);
    }

    [Fact]
    public async Task OnDesiredPropertiesAsync_ShoulderTap_DownloadsVerifiesAndRejectsTamperedFile()
    {
        var payload = ReferenceDataCodec.Serialize(new ReferenceDataSet(17, [.. Enumerable.Range(1, 3000).Select(i => new ReferenceItem(i, 1m + i % 7, 0.5m, 3m))]));
        var served = payload;
        var port = FreePort.Next();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (HttpListenerException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                context.Response.ContentLength64 = served.Length;
                await context.Response.OutputStream.WriteAsync(served);
                context.Response.Close();
            }
        });
        await using var harness = new EngineHarness(17);
        await harness.StartHubAsync();
        var pointer = ReferenceDataPointer.Remote(payload, new Uri($"http://127.0.0.1:{port}/ref/store017.json.gz"));

        served = [.. payload];
        served[^5] ^= 0x55;
        await harness.Transport.PushDesiredAsync(Desired(pointer));
        Assert.Contains("sha256", harness.Module.ReferenceDataError, StringComparison.Ordinal);
        Assert.Null((await harness.Engine.GetStatusAsync(CancellationToken.None)).ReferenceDataVersion);

        served = payload;
        await harness.Transport.PushDesiredAsync(Desired(pointer));
        Assert.Null(harness.Module.ReferenceDataError);
        Assert.Equal(pointer.Version, (await harness.Engine.GetStatusAsync(CancellationToken.None)).ReferenceDataVersion);
        listener.Stop();
        await serving;
    }

    [Fact]
    public async Task OnDesiredPropertiesAsync_FileUrlUnderRoot_AppliedAndOutsideRootRefusedKeepingPreviousSet()
    {
        using var directory = new TempDirectory("reference-files");
        var root = Directory.CreateDirectory(directory.Combine("published")).FullName;
        var outside = Directory.CreateDirectory(directory.Combine("elsewhere")).FullName;
        var first = ReferenceDataCodec.Serialize(new ReferenceDataSet(17, [.. Enumerable.Range(1, 3000).Select(i => new ReferenceItem(i, 1m + i % 7, 0.5m, 3m))]));
        var second = ReferenceDataCodec.Serialize(new ReferenceDataSet(17, [.. Enumerable.Range(1, 3000).Select(i => new ReferenceItem(i, 2m + i % 7, 0.5m, 3m))]));
        var firstPath = Path.Combine(root, "first.json.gz");
        await File.WriteAllBytesAsync(firstPath, first);
        await File.WriteAllBytesAsync(Path.Combine(outside, "second.json.gz"), second);
        File.CreateSymbolicLink(Path.Combine(root, "link.json.gz"), Path.Combine(outside, "second.json.gz"));
        await using var harness = new EngineHarness(17, referenceDataFileRoot: root);
        await harness.StartHubAsync();

        var applied = ReferenceDataPointer.Remote(first, new Uri(firstPath));
        await harness.Transport.PushDesiredAsync(Desired(applied));
        Assert.Null(harness.Module.ReferenceDataError);
        Assert.Equal(applied.Version, (await harness.Engine.GetStatusAsync(CancellationToken.None)).ReferenceDataVersion);

        foreach (var (url, reason) in new[]
        {
            (new Uri(Path.Combine(outside, "second.json.gz")), "outside"),
            (new Uri("file://" + root + "/../elsewhere/second.json.gz"), "outside"),
            (new Uri(Path.Combine(root, "link.json.gz")), "symbolic link"),
            (new Uri(Path.Combine(root, "missing.json.gz")), "does not exist"),
        })
        {
            await harness.Transport.PushDesiredAsync(Desired(ReferenceDataPointer.Remote(second, url)));
            Assert.Contains(reason, harness.Module.ReferenceDataError, StringComparison.Ordinal);
            Assert.Equal(applied.Version, (await harness.Engine.GetStatusAsync(CancellationToken.None)).ReferenceDataVersion);
        }
    }

    [Fact]
    public async Task OnDesiredPropertiesAsync_FileUrlWithoutAllowedRoot_Refused()
    {
        using var directory = new TempDirectory("reference-files");
        var payload = ReferenceDataCodec.Serialize(new ReferenceDataSet(17, [new ReferenceItem(1, 2m, 1m, 1m)]));
        var path = directory.Combine("set.json.gz");
        await File.WriteAllBytesAsync(path, payload);
        await using var harness = new EngineHarness(17);
        await harness.StartHubAsync();

        await harness.Transport.PushDesiredAsync(Desired(ReferenceDataPointer.Remote(payload, new Uri(path))));

        Assert.Contains("file urls are not allowed", harness.Module.ReferenceDataError, StringComparison.Ordinal);
        Assert.Null((await harness.Engine.GetStatusAsync(CancellationToken.None)).ReferenceDataVersion);
    }

    [Fact]
    public async Task OnMethodAsync_FlushReplayStatusSetLogLevel_Answer()
    {
        await using var harness = new EngineHarness(17);
        await harness.StartHubAsync();
        for (var i = 0; i < 3; i++)
        {
            await harness.Engine.IngestAsync(Basket("m" + i, harness.Time.GetUtcNow().AddSeconds(i)), IngestSources.Test, CancellationToken.None);
            var flush = await harness.Transport.InvokeMethodAsync("flush", "{}");
            Assert.Equal(200, flush.Status);
            Assert.Contains("\"sealed\":1", Encoding.UTF8.GetString(flush.Payload), StringComparison.Ordinal);
        }
        await WaitUntilAsync(() => harness.Transport.Sent.Count == 3);

        var replay = await harness.Transport.InvokeMethodAsync("replay", """{"from":2,"to":3}""");
        Assert.Equal(200, replay.Status);
        await WaitUntilAsync(() => harness.Transport.Sent.Count == 5);
        var sent = harness.Transport.Sent;
        Assert.Equal([1L, 2L, 3L, 2L, 3L], sent.Select(m => m.Seq));
        Assert.Equal(sent[1].Body.ToArray(), sent[3].Body.ToArray());
        Assert.Equal(sent[1].MessageId, sent[3].MessageId);

        Assert.Equal(400, (await harness.Transport.InvokeMethodAsync("replay", """{"from":"x"}""")).Status);
        var status = await harness.Transport.InvokeMethodAsync("status", "");
        Assert.Equal(200, status.Status);
        Assert.Equal("running", JsonDocument.Parse(status.Payload).RootElement.GetProperty("status").GetString());
        Assert.Equal(200, (await harness.Transport.InvokeMethodAsync("setLogLevel", """{"level":"Debug"}""")).Status);
        Assert.Equal(400, (await harness.Transport.InvokeMethodAsync("setLogLevel", """{"level":"Loud"}""")).Status);
        Assert.Equal(404, (await harness.Transport.InvokeMethodAsync("reboot", "{}")).Status);
    }

    [Fact]
    public async Task OnInputAsync_EventsInput_JournalsJsonLines()
    {
        await using var harness = new EngineHarness(17);
        await harness.StartHubAsync();
        var now = harness.Time.GetUtcNow();
        var body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Basket("i1", now)) + "\n" + Encoding.UTF8.GetString(Basket("i2", now)) + "\n");

        await harness.Transport.SendInputAsync(GatewayModule.EventsInput, body);

        Assert.Equal(2, (await harness.Engine.GetStatusAsync(CancellationToken.None)).Accepted);
    }

    [Fact]
    public async Task RunReporterAsync_UnchangedProperties_NotPatchedAgain()
    {
        await using var harness = new EngineHarness(17);
        await harness.StartHubAsync();
        Assert.True(await harness.Module.ReportIfChangedAsync(CancellationToken.None));
        Assert.False(await harness.Module.ReportIfChangedAsync(CancellationToken.None));
        await harness.Engine.IngestAsync(Basket("r1", harness.Time.GetUtcNow()), IngestSources.Test, CancellationToken.None);
        await harness.Engine.GetStatusAsync(CancellationToken.None);
        Assert.True(await harness.Module.ReportIfChangedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Ingest_BurstOfPriceMismatches_FirstAlertAtOnceTheRestTogether()
    {
        var payload = ReferenceDataCodec.Serialize(new ReferenceDataSet(17, [new ReferenceItem(1, 2.00m, 1.00m, 0m)]));
        await using var harness = new EngineHarness(17);
        await harness.Engine.ApplyReferenceDataAsync(payload, ReferenceDataCodec.VersionOf(payload), CancellationToken.None);
        await harness.StartHubAsync();

        // A wrong price list at the lanes: every basket is a price mismatch, each its own commit.
        await harness.Engine.IngestAsync(Basket("m0", harness.Time.GetUtcNow(), price: 2.50m), IngestSources.Test, CancellationToken.None);
        await WaitUntilAsync(() => harness.Transport.Sent.Any(m => m.IsAlert));
        for (var i = 1; i < 60; i++)
        {
            await harness.Engine.IngestAsync(Basket($"m{i}", harness.Time.GetUtcNow(), price: 2.50m), IngestSources.Test, CancellationToken.None);
        }
        await WaitUntilAsync(() => harness.Transport.Sent.Where(m => m.IsAlert).Sum(m => Outbox.Decode(m).Alerts.Count) >= 60);

        var alertBatches = harness.Transport.Sent.Where(m => m.IsAlert).Select(Outbox.Decode).ToList();
        Assert.Single(alertBatches[0].Alerts);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"m{i}"), alertBatches.SelectMany(b => b.Alerts).Select(a => a.Detail["eventId"]));
        // One message per AlertInterval (1 s) at most, not one per alert: 59 alerts in a few seconds at most.
        Assert.True(alertBatches.Count <= 8, $"{alertBatches.Count} alert batches for 60 alerts");
    }

    private static string Desired(ReferenceDataPointer pointer)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WritePropertyName("referenceData");
            pointer.WriteTo(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
