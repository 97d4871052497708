using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using RetailEdge.Contracts.Events;
using RetailEdge.StoreGateway.Core;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Tests;

/// <summary>
/// An event the validator cannot read (a scale sending Latin-1 text) must be a counted, quarantined
/// reject that is acknowledged like any other: over HTTP a per-event result, over the store broker a
/// PUBACK, so that it never blocks the events behind it.
/// </summary>
public class PoisonEventTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 12, 0, 0, TimeSpan.FromHours(1));

    /// <summary>A weighing whose scale id carries "Jalapeño" in Latin-1 (ñ = the single byte 0xF1).</summary>
    internal static byte[] Latin1Weighing(string id) =>
        Encoding.Latin1.GetBytes(Encoding.UTF8.GetString(Weighing(id)).Replace("\"scaleId\":\"S1\"", "\"scaleId\":\"Jalape\u00f1o\"", StringComparison.Ordinal));

    internal static byte[] Weighing(string id) => StoreEventJson.Serialize(new WeighingEvent
    {
        Id = id, StoreId = 1, Ts = Now.AddMinutes(-1), ScaleId = "S1", ItemId = 7, NetKg = 0.5m, PricePerKg = 3m, LabelPrinted = true,
    });

    [Fact]
    public async Task PostEvents_Latin1Jalapeno_PerEventRejectQuarantinedAndCounted()
    {
        using var directory = new TempDirectory("gateway-poison-http");
        await using var host = await GatewayHost.StartAsync(directory.Path, Now);
        using var http = host.CreateClient();
        var poison = Latin1Weighing("w-latin1");
        Assert.False(System.Text.Unicode.Utf8.IsValid(poison));
        var body = new MemoryStream();
        body.Write(Weighing("w-good"));
        body.WriteByte((byte)'\n');
        body.Write(poison);

        using var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
        using var response = await http.PostAsync("events", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var results = document.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["accepted", "rejected"], results.Select(r => r.GetProperty("status").GetString()));
        Assert.Equal("invalid_utf8", results[1].GetProperty("reason").GetString());
        var quarantine = await host.Engine.ReadQuarantineAsync(CancellationToken.None);
        Assert.Equal("invalid_utf8", Assert.Single(quarantine).Reason);
        Assert.True(quarantine[0].Holds(poison));
        await GatewayModuleTestsSupport.WaitUntilAsync(() =>
        {
            using var health = JsonDocument.Parse(http.GetStringAsync("health").GetAwaiter().GetResult());
            return health.RootElement.GetProperty("rejected").GetInt64() == 1 && health.RootElement.GetProperty("accepted").GetInt64() == 1;
        });
    }

    [Fact]
    public async Task Mqtt_ThirtyLatin1ThenTwentyGood_AllGoodJournaledPoisonAcknowledgedNotRedelivered()
    {
        // mosquitto's default in-flight window (20): unacknowledged poison would stop the feed.
        await using var broker = await MosquittoBroker.StartAsync();
        using var directory = new TempDirectory("gateway-poison-mqtt");
        var settings = new Dictionary<string, string?>
        {
            ["StoreGateway:MqttHost"] = broker.Host,
            ["StoreGateway:MqttPort"] = broker.Port.ToString(CultureInfo.InvariantCulture),
        };
        var host = await GatewayHost.StartAsync(directory.Path, Now, settings);
        try
        {
            await host.WaitForMqttSubscriptionAsync();
            using var scale = await StoreBrokerPublisher.ConnectAsync(broker, "scale-S1");
            for (var i = 0; i < 30; i++)
            {
                await scale.PublishAsync("store/1/scale/S1", Latin1Weighing("w-bad-" + i));
            }
            for (var i = 0; i < 20; i++)
            {
                await scale.PublishAsync("store/1/scale/S1", Weighing("w-good-" + i));
            }
            await GatewayModuleTestsSupport.WaitUntilAsync(() => Count(directory.Path) == (20, 30), 60_000);

            // A new gateway process takes over the persistent session: whatever was not acknowledged
            // would be redelivered before the marker published after the restart.
            var now = host.Clock.GetUtcNow();
            await host.DisposeAsync();
            host = await GatewayHost.StartAsync(directory.Path, now, settings);
            await host.WaitForMqttSubscriptionAsync();
            await scale.PublishAsync("store/1/scale/S1", Weighing("w-marker"));
            await GatewayModuleTestsSupport.WaitUntilAsync(() => Count(directory.Path).Events == 21, 60_000);

            Assert.Equal((21, 30), Count(directory.Path));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static (long Events, int Quarantined) Count(string dataDirectory)
    {
        using var journal = new GatewayJournal(dataDirectory);
        return (journal.CountEvents(), journal.ReadQuarantine().Count);
    }
}
