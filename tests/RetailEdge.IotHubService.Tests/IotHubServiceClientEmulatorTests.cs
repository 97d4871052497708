using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using RetailEdge.IotHub.Credentials;
using RetailEdge.Testing;

namespace RetailEdge.IotHubService.Tests;

/// <summary>The service client against the hub emulator's REST API over real sockets.</summary>
public class IotHubServiceClientEmulatorTests
{
    [Fact]
    public async Task UpdateModuleTwinAsync_StaleETag_412WithHubMessage()
    {
        await using var h = await EmulatorServiceHarness.StartAsync();
        await h.Emulator.Registry.AddModuleAsync("store017-gw", "StoreGateway");
        var read = await h.Client.GetModuleTwinAsync("store017-gw", "StoreGateway");
        var updated = await h.Client.UpdateModuleTwinAsync("store017-gw", "StoreGateway", new JsonObject { ["windowSeconds"] = 60 }, read.ETag);

        var error = await Assert.ThrowsAsync<IotHubServiceException>(() =>
            h.Client.UpdateModuleTwinAsync("store017-gw", "StoreGateway", new JsonObject { ["windowSeconds"] = 30 }, read.ETag));

        Assert.NotEqual(read.ETag, updated.ETag);
        Assert.Equal(2, updated.DesiredVersion);
        Assert.Equal(HttpStatusCode.PreconditionFailed, error.StatusCode);
        Assert.Equal("PreconditionFailed", error.ErrorName);
        Assert.Contains("ETag", error.HubMessage, StringComparison.Ordinal);
        var after = await h.Client.GetModuleTwinAsync("store017-gw", "StoreGateway");
        Assert.Equal(60, after.Desired["windowSeconds"]!.GetValue<int>());
    }

    [Fact]
    public async Task ReplaceModuleTwinAsync_CurrentETag_ReplacesDesired()
    {
        await using var h = await EmulatorServiceHarness.StartAsync();
        await h.Emulator.Registry.AddModuleAsync("d", "m");
        var first = await h.Client.UpdateModuleTwinAsync("d", "m", new JsonObject { ["a"] = 1, ["b"] = 2 });

        var replaced = await h.Client.ReplaceModuleTwinAsync("d", "m", new JsonObject { ["b"] = 3 }, first.ETag);

        Assert.False(replaced.Desired.ContainsKey("a"));
        Assert.Equal(3, replaced.Desired["b"]!.GetValue<int>());
    }

    [Fact]
    public async Task QueryTwinsAsync_SmallPages_EveryModuleOnceAcrossPages()
    {
        await using var h = await EmulatorServiceHarness.StartAsync();
        for (var i = 0; i < 7; i++)
        {
            await h.Emulator.Registry.AddModuleAsync($"store{i:000}-gw", "StoreGateway");
            await h.Emulator.Registry.AddModuleAsync($"store{i:000}-gw", "Simulator");
        }

        var firstPage = await h.Client.QueryPageAsync("SELECT * FROM devices.modules WHERE moduleId = 'StoreGateway'", maxItemCount: 3);
        var all = new List<Twin>();
        await foreach (var twin in h.Client.QueryTwinsAsync("SELECT * FROM devices.modules WHERE moduleId = 'StoreGateway'", pageSize: 3))
        {
            all.Add(twin);
        }

        Assert.Equal(3, firstPage.Items.Count);
        Assert.NotNull(firstPage.ContinuationToken);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"store{i:000}-gw"), all.Select(t => t.DeviceId));
        Assert.All(all, t => Assert.Equal("StoreGateway", t.ModuleId));
    }

    [Fact]
    public async Task QueryTwinsAsync_ReportedPropertyFilter_OnlyMatchingModules()
    {
        await using var h = await EmulatorServiceHarness.StartAsync();
        await h.Emulator.Registry.AddModuleAsync("a", "StoreGateway");
        await h.Emulator.Registry.AddModuleAsync("b", "StoreGateway");
        h.Emulator.Twins.PatchReported(new("a", "StoreGateway"), new JsonObject { ["rejected"] = 5 });
        h.Emulator.Twins.PatchReported(new("b", "StoreGateway"), new JsonObject { ["rejected"] = 1 });

        var page = await h.Client.QueryPageAsync("SELECT * FROM devices.modules WHERE properties.reported.rejected > 2");

        Assert.Equal("a", Assert.Single(page.Items).DeviceId);
        Assert.Null(page.ContinuationToken);
    }

    [Fact]
    public async Task QueryPageAsync_BadQuery_400WithReason()
    {
        await using var h = await EmulatorServiceHarness.StartAsync();

        var error = await Assert.ThrowsAsync<IotHubServiceException>(() => h.Client.QueryPageAsync("SELECT * FROM jobs"));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("FROM", error.HubMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeModuleMethodAsync_Disconnected_404DeviceNotOnline()
    {
        await using var h = await EmulatorServiceHarness.StartAsync();
        await h.Emulator.Registry.AddModuleAsync("store017-gw", "StoreGateway");

        var error = await Assert.ThrowsAsync<IotHubServiceException>(() =>
            h.Client.InvokeModuleMethodAsync("store017-gw", "StoreGateway", new MethodInvocation("flush")));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("DeviceNotOnline", error.ErrorName);
        Assert.Equal("Timed out waiting for device to connect.", error.HubMessage);
        Assert.False(string.IsNullOrEmpty(error.TrackingId));
    }

    [Fact]
    public async Task ApplyConfigurationContentAsync_Deployment_ReplacesModuleDesired()
    {
        await using var h = await EmulatorServiceHarness.StartAsync();
        await h.Emulator.Registry.AddModuleAsync("gw", "StoreGateway");
        await h.Client.UpdateModuleTwinAsync("gw", "StoreGateway", new JsonObject { ["old"] = 1 });
        var content = (JsonObject)JsonNode.Parse("""
            {"modulesContent":{"$edgeAgent":{"properties.desired":{"schemaVersion":"1.1"}},
             "StoreGateway":{"properties.desired":{"windowSeconds":60,"compression":"gzip"}}}}
            """)!;

        await h.Client.ApplyConfigurationContentAsync("gw", content);
        var twin = await h.Client.GetModuleTwinAsync("gw", "StoreGateway");

        var agent = await h.Client.GetModuleTwinAsync("gw", "$edgeAgent");

        Assert.False(twin.Desired.ContainsKey("old"));
        Assert.Equal(60, twin.Desired["windowSeconds"]!.GetValue<int>());
        Assert.Equal("gzip", twin.Desired["compression"]!.GetValue<string>());
        Assert.Equal("1.1", agent.Desired["schemaVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetModuleTwinAsync_UnknownModule_404()
    {
        await using var h = await EmulatorServiceHarness.StartAsync();

        var error = await Assert.ThrowsAsync<IotHubServiceException>(() => h.Client.GetModuleTwinAsync("nope", "nope"));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("ModuleNotFound", error.ErrorName);
    }

    [Fact]
    public async Task GetModuleTwinAsync_WrongServiceKey_401()
    {
        await using var h = await EmulatorServiceHarness.StartAsync();
        await h.Emulator.Registry.AddModuleAsync("d", "m");
        using var wrong = new IotHubServiceClient(new IotHubServiceClientOptions
        {
            ConnectionString = $"HostName={h.Emulator.HostName};SharedAccessKeyName=service;SharedAccessKey={Convert.ToBase64String(new byte[32])}",
            Endpoint = h.Emulator.RestBaseAddress,
        });

        var error = await Assert.ThrowsAsync<IotHubServiceException>(() => wrong.GetModuleTwinAsync("d", "m"));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task InvokeModuleMethodAsync_NodeModuleAnswers_RoundTripAndDesiredPatchDelivered()
    {
        await using var h = await EmulatorServiceHarness.StartAsync();
        var module = await h.Emulator.Registry.AddModuleAsync("d1", "m1");
        const string script = """
            const crypto = require('crypto');
            const mqtt = require('mqtt');
            const [port, host, key] = process.argv.slice(2);
            const sr = encodeURIComponent(`${host}/devices/d1/modules/m1`);
            const se = Math.floor(Date.now() / 1000) + 600;
            const sig = crypto.createHmac('sha256', Buffer.from(key, 'base64')).update(sr + '\n' + se).digest('base64');
            const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: 'd1/m1', username: `${host}/d1/m1/?api-version=2021-04-12`,
              password: `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${se}`, protocolVersion: 4, reconnectPeriod: 0 });
            client.on('message', (topic, payload) => {
              const m = /^\$iothub\/methods\/POST\/([^/]+)\/\?\$rid=(.+)$/.exec(topic);
              if (m) {
                const request = JSON.parse(payload.toString());
                client.publish(`$iothub/methods/res/200/?$rid=${m[2]}`, JSON.stringify({ method: m[1], echo: request }));
                return;
              }
              if (topic.startsWith('$iothub/twin/PATCH/properties/desired/')) {
                console.log('DESIRED ' + topic + ' ' + payload.toString());
                client.end(() => process.exit(0));
              }
            });
            client.on('connect', async () => {
              await client.subscribeAsync(['$iothub/methods/POST/#', '$iothub/twin/PATCH/properties/desired/#'], { qos: 0 });
              console.log('READY');
            });
            setTimeout(() => process.exit(5), 20000);
            """;
        await using var node = NodeScript.Start(script, h.Emulator.MqttEndPoint.Port.ToString(CultureInfo.InvariantCulture), h.Emulator.HostName, module.PrimaryKey);
        await node.WaitForOutputAsync("READY", TimeSpan.FromSeconds(20));

        var result = await h.Client.InvokeModuleMethodAsync("d1", "m1", new MethodInvocation("status", new JsonObject { ["verbose"] = true }) { ResponseTimeout = TimeSpan.FromSeconds(10) });
        await h.Client.UpdateModuleTwinAsync("d1", "m1", new JsonObject { ["windowSeconds"] = 30 });
        await node.WaitForOutputAsync("DESIRED", TimeSpan.FromSeconds(10));

        Assert.Equal(200, result.Status);
        Assert.Equal("status", result.Payload!["method"]!.GetValue<string>());
        Assert.True(result.Payload!["echo"]!["verbose"]!.GetValue<bool>());
        Assert.Contains("$iothub/twin/PATCH/properties/desired/?$version=2", node.Output, StringComparison.Ordinal);
        Assert.Contains("\"windowSeconds\":30", node.Output, StringComparison.Ordinal);
    }
}
