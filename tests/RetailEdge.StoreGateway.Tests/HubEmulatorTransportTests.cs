using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.HubEmulator;
using RetailEdge.HubEmulator.Registry;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Tests;

/// <summary>The host's IoT Hub transport against our local hub emulator (module MQTT, SAS, twin, routing).</summary>
public class HubEmulatorTransportTests
{
    [Fact]
    public async Task IotHubTransport_Emulator_BatchRoutedWithMessageIdAndBadDesiredPatchReported()
    {
        using var directory = new TempDirectory("gateway-hub");
        await using var emulator = await GatewayHubEmulator.StartAsync(directory, "store001-gw");
        var identity = new IdentityKey("store001-gw", "StoreGateway");
        var now = DateTimeOffset.UtcNow;
        var settings = GatewayHubEmulator.TransportSettings(emulator, "store001-gw", ":").ToDictionary(s => s.Key, s => (string?)s.Value);
        settings["StoreGateway:ReportInterval"] = "00:00:01";
        await using var host = await GatewayHost.StartAsync(directory.Combine("data"), now, settings);
        using var http = host.CreateClient();
        var body = new StringBuilder();
        // The three baskets in one minute (one window, so one item row), whatever the clock says.
        var tenMinutesAgo = now.AddMinutes(-10);
        var first = tenMinutesAgo.AddTicks(-(tenMinutesAgo.UtcTicks % TimeSpan.TicksPerMinute)).AddSeconds(10);
        for (var i = 0; i < 3; i++)
        {
            body.Append(Encoding.UTF8.GetString(StoreEventJson.Serialize(new BasketEvent
            {
                Id = "hub-" + i, StoreId = 1, Ts = first.AddSeconds(i), LaneId = "L1", Channel = Channels.Store, Lines = [new BasketLine(7, 2m, 1.5m)],
            }))).Append('\n');
        }
        (await http.PostAsync("events", new StringContent(body.ToString(), Encoding.UTF8, "application/x-ndjson"))).EnsureSuccessStatusCode();
        await host.Engine.FlushAsync(CancellationToken.None);

        // Sent and acknowledged by the hub: the outbox row is marked sent.
        await GatewayModuleTestsSupport.WaitUntilAsync(() => host.Engine.GetStatusAsync(CancellationToken.None).GetAwaiter().GetResult() is { BufferedBatches: 0, LastSentAt: not null }, 30_000);
        await emulator.Routing.FlushAsync(CancellationToken.None);
        var records = Directory.EnumerateFiles(directory.Combine("routing"), "*", SearchOption.AllDirectories)
            .SelectMany(File.ReadAllLines).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var record = Assert.Single(records);
        Assert.Equal("store001-gw-1", record["SystemProperties"]!["messageId"]!.GetValue<string>());
        Assert.Equal("1", record["Properties"]!["seq"]!.GetValue<string>());
        var batch = TelemetryBatchCodec.Decode(Convert.FromBase64String(record["Body"]!.GetValue<string>()), record["SystemProperties"]!["contentEncoding"]!.GetValue<string>());
        Assert.True(batch.IsValid, batch.Detail);
        Assert.Equal(3, batch.Batch!.Baskets.Count);
        Assert.Equal(6m, batch.Batch.Items.Single().Qty);

        // A bad desired patch from the service side is rejected and reported; the gateway keeps going.
        var patch = JsonNode.Parse("""{"properties":{"desired":{"windowSeconds":-60}}}""")!.AsObject();
        emulator.Twins.UpdateFromService(identity, patch, "*", replace: false, connected: true);
        await GatewayModuleTestsSupport.WaitUntilAsync(() =>
            emulator.Twins.GetServiceView(identity, true)?["properties"]?["reported"]?["configError"] is JsonValue error && error.GetValue<string>().Contains("windowSeconds", StringComparison.Ordinal), 30_000);
        Assert.Equal(TimeSpan.FromSeconds(60), host.Engine.Settings.Window);
    }
}
