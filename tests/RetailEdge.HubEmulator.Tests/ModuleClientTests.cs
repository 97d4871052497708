using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using RetailEdge.HubEmulator.Registry;
using RetailEdge.IotHub;
using RetailEdge.IotHub.Credentials;
using RetailEdge.IotHubService;
using RetailEdge.Testing;

namespace RetailEdge.HubEmulator.Tests;

/// <summary>Our IotHubModuleClient (shared/RetailEdge.IotHub) against the emulator, through real sockets.</summary>
public class ModuleClientTests
{
    private static async Task<IotHubModuleClient> OpenClientAsync(EmulatorHarness hub, string deviceId, string moduleId, bool tls = false, Func<IotHubModuleClient, Task>? beforeOpen = null)
    {
        await hub.Emulator.Registry.AddModuleAsync(deviceId, moduleId);
        var options = hub.Emulator.ModuleClientOptions(deviceId, moduleId) with
        {
            UseTls = tls,
            TrustedRootCertificates = tls ? new X509Certificate2Collection(hub.Emulator.Certificate!) : null,
            ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
            OperationTimeout = TimeSpan.FromSeconds(15),
        };
        var client = new IotHubModuleClient(options);
        if (beforeOpen is not null)
        {
            await beforeOpen(client);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await client.OpenAsync(timeout.Token);
        return client;
    }

    private static IotHubServiceClient ServiceClient(EmulatorHarness hub) => new(new IotHubServiceClientOptions
    {
        ConnectionString = hub.Emulator.Registry.ServiceConnectionString(),
        Endpoint = hub.Emulator.RestBaseAddress,
    });

    [Fact]
    public async Task SendEventAsync_JsonTelemetry_RoutedWithProperties()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        await using var client = await OpenClientAsync(hub, "store017-gw", "StoreGateway");

        await client.SendEventAsync(new IotHubMessage("""{"schema":"retailedge.telemetry/1","seq":4711}"""u8.ToArray())
        {
            MessageId = "store017-gw-4711",
            ContentType = "application/json",
            ContentEncoding = "utf-8",
            Properties = new Dictionary<string, string> { ["seq"] = "4711", ["storeId"] = "17" },
        }, CancellationToken.None);
        await hub.Emulator.Routing.FlushAsync(CancellationToken.None);

        var record = JsonNode.Parse(Assert.Single(hub.RoutedLines()).Line)!.AsObject();
        Assert.Equal("store017-gw-4711", record["SystemProperties"]!["messageId"]!.GetValue<string>());
        Assert.Equal(4711, record["Body"]!["seq"]!.GetValue<int>());
        Assert.Equal("17", record["Properties"]!["storeId"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpdateReportedPropertiesAsync_ThenGetTwin_VersionAndValuesVisibleToServiceToo()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        await using var client = await OpenClientAsync(hub, "d", "m");

        var v1 = await client.UpdateReportedPropertiesAsync(new JsonObject { ["status"] = "running", ["rejected"] = 3 }, CancellationToken.None);
        var v2 = await client.UpdateReportedPropertiesAsync(new JsonObject { ["rejected"] = null }, CancellationToken.None);
        var twin = await client.GetTwinAsync(CancellationToken.None);
        using var service = ServiceClient(hub);
        var serviceTwin = await service.GetModuleTwinAsync("d", "m");

        Assert.Equal(2, v1);
        Assert.Equal(3, v2);
        Assert.Equal(3, twin.ReportedVersion);
        Assert.Equal("running", twin.Reported["status"]!.GetValue<string>());
        Assert.False(twin.Reported.ContainsKey("rejected"));
        Assert.Equal("Connected", serviceTwin.ConnectionState);
        Assert.Equal("running", serviceTwin.Reported["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task DesiredPatches_LiveAndAfterServerDroppedConnection_VersionsIncreaseAndLatestWins()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        var updates = new ConcurrentQueue<DesiredPropertiesUpdate>();
        await using var client = await OpenClientAsync(hub, "d", "m", beforeOpen: c =>
            c.SetDesiredPropertyUpdateHandlerAsync((u, _) => { updates.Enqueue(u); return Task.CompletedTask; }, CancellationToken.None));
        using var service = ServiceClient(hub);
        await WaitUntilAsync(() => !updates.IsEmpty, "the full twin after open");

        await service.UpdateModuleTwinAsync("d", "m", new JsonObject { ["windowSeconds"] = 30 });
        await WaitUntilAsync(() => updates.Any(u => u.Version == 2), "the live patch $version 2");
        Assert.False(updates.Single(u => u.Version == 2).IsFullTwin);

        // the hub drops the connection; patches made while it is gone arrive as the full twin after reconnect
        await hub.Emulator.Connections.Find(new IdentityKey("d", "m"))!.CloseAsync("test", CancellationToken.None);
        await service.UpdateModuleTwinAsync("d", "m", new JsonObject { ["windowSeconds"] = 45 });
        await service.UpdateModuleTwinAsync("d", "m", new JsonObject { ["sendIntervalSeconds"] = 90 });
        await WaitUntilAsync(() => updates.Any(u => u.Version >= 4), "$version 4 after the reconnect");
        await WaitUntilAsync(() => hub.Emulator.Connections.Find(new IdentityKey("d", "m")) is { AcceptsDesiredPatches: true }, "resubscription");
        await service.UpdateModuleTwinAsync("d", "m", new JsonObject { ["windowSeconds"] = 60 });
        await WaitUntilAsync(() => updates.Any(u => u.Version == 5), "the live patch $version 5");

        var versions = updates.Select(u => u.Version).ToList();
        Assert.Equal(versions.Order(), versions);
        // PROTOCOLS.md: after a reconnect the full twin is read and delivered, so a version repeats only
        // when that resync finds the twin of a patch that had already arrived live; a patch never repeats.
        var delivered = updates.ToList();
        for (var i = 1; i < delivered.Count; i++)
        {
            Assert.True(delivered[i].Version > delivered[i - 1].Version || delivered[i].IsFullTwin,
                $"$version {delivered[i].Version} delivered twice as a patch");
        }
        // The client may be back between the two patches made while it was away (then the full twin
        // holds one and a live patch the other), so fold them as a module does: a full twin replaces
        // what it had, a patch merges; at $version 4 both changes made while away are in force.
        var atVersion4 = Fold(updates.Where(u => u.Version <= 4));
        Assert.Equal(90, atVersion4["sendIntervalSeconds"]);
        Assert.Equal(45, atVersion4["windowSeconds"]);
        var latest = Fold(updates);
        Assert.Equal(60, latest["windowSeconds"]);
        Assert.Equal(90, latest["sendIntervalSeconds"]);
    }

    private static Dictionary<string, int> Fold(IEnumerable<DesiredPropertiesUpdate> updates)
    {
        var state = new Dictionary<string, int>();
        foreach (var update in updates)
        {
            if (update.IsFullTwin)
            {
                state.Clear();
            }
            foreach (var (name, value) in update.Properties)
            {
                if (value is JsonValue number && number.TryGetValue<int>(out var n))
                {
                    state[name] = n;
                }
            }
        }
        return state;
    }

    [Fact]
    public async Task DirectMethod_ServiceInvokes_HandlerAnswersRoundTrip()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        await using var client = await OpenClientAsync(hub, "d", "m", beforeOpen: c => c.SetMethodHandlerAsync("flush", (request, _) =>
            Task.FromResult(MethodResponse.Json(200, "{\"flushed\":true,\"got\":" + Encoding.UTF8.GetString(request.Payload.Span) + "}")), CancellationToken.None));
        using var service = ServiceClient(hub);

        var result = await service.InvokeModuleMethodAsync("d", "m", new IotHubService.MethodInvocation("flush", new JsonObject { ["n"] = 7 }) { ResponseTimeout = TimeSpan.FromSeconds(10) });
        var unknown = await service.InvokeModuleMethodAsync("d", "m", new IotHubService.MethodInvocation("nope") { ResponseTimeout = TimeSpan.FromSeconds(10) });

        Assert.Equal(200, result.Status);
        Assert.True(result.Payload!["flushed"]!.GetValue<bool>());
        Assert.Equal(7, result.Payload!["got"]!["n"]!.GetValue<int>());
        Assert.Equal(501, unknown.Status);
    }

    [Fact]
    public async Task DirectMethod_HandlerTooSlow_504AfterResponseTimeout()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        await using var client = await OpenClientAsync(hub, "d", "m", beforeOpen: c => c.SetMethodHandlerAsync("slow", async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return MethodResponse.Json(200, "{}");
        }, CancellationToken.None));
        using var service = ServiceClient(hub);

        var error = await Assert.ThrowsAsync<IotHubServiceException>(() =>
            service.InvokeModuleMethodAsync("d", "m", new IotHubService.MethodInvocation("slow") { ResponseTimeout = TimeSpan.FromSeconds(5) }));

        Assert.Equal(System.Net.HttpStatusCode.GatewayTimeout, error.StatusCode);
        Assert.Equal("GatewayTimeout", error.ErrorName);
    }

    [Fact]
    public async Task OpenAsync_Tls_SelfSignedCertificateTrusted_TelemetryRouted()
    {
        var directory = new TempDirectory("hubtls");
        await using var emulator = new HubEmulator(new HubEmulatorOptions
        {
            RegistryPath = directory.Combine("registry.json"),
            HubName = "tlshub",
            RoutingTarget = directory.Combine("routing"),
            UseTls = true,
        });
        await emulator.StartAsync(CancellationToken.None);
        await emulator.Registry.AddModuleAsync("d", "m");
        var options = emulator.ModuleClientOptions("d", "m");
        await using (var client = new IotHubModuleClient(options))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await client.OpenAsync(timeout.Token);
            await client.SendEventAsync(new IotHubMessage("x"u8.ToArray()) { MessageId = "tls-1" }, timeout.Token);
        }
        await emulator.StopAsync(CancellationToken.None);

        var files = Directory.EnumerateFiles(directory.Combine("routing"), "*", SearchOption.AllDirectories).ToList();
        Assert.Contains("tls-1", await File.ReadAllTextAsync(Assert.Single(files)), StringComparison.Ordinal);
        directory.Dispose();
    }

    [Fact]
    public async Task SecondConnectionSameIdentity_FirstIsDropped()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        var module = await hub.Emulator.Registry.AddModuleAsync("d", "m");
        const string script = """
            const crypto = require('crypto');
            const mqtt = require('mqtt');
            const [port, host, key] = process.argv.slice(2);
            const sr = encodeURIComponent(`${host}/devices/d/modules/m`);
            const se = Math.floor(Date.now() / 1000) + 600;
            const sig = crypto.createHmac('sha256', Buffer.from(key, 'base64')).update(sr + '\n' + se).digest('base64');
            const options = { clientId: 'd/m', username: `${host}/d/m/?api-version=2021-04-12`,
              password: `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${se}`, protocolVersion: 4, reconnectPeriod: 0 };
            const first = mqtt.connect(`mqtt://127.0.0.1:${port}`, options);
            first.on('connect', () => {
              console.log('FIRST CONNECTED');
              first.on('close', () => { console.log('FIRST CLOSED'); });
              const second = mqtt.connect(`mqtt://127.0.0.1:${port}`, options);
              second.on('connect', () => { console.log('SECOND CONNECTED'); setTimeout(() => { second.end(); process.exit(0); }, 500); });
            });
            setTimeout(() => process.exit(4), 15000);
            """;

        var output = await NodeScript.RunAsync(script, TimeSpan.FromSeconds(30), hub.Emulator.MqttEndPoint.Port.ToString(CultureInfo.InvariantCulture), hub.Emulator.HostName, module.PrimaryKey);

        Assert.Contains("SECOND CONNECTED", output, StringComparison.Ordinal);
        Assert.Contains("FIRST CLOSED", output, StringComparison.Ordinal);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("waited in vain for " + what);
            }
            await Task.Delay(25);
        }
    }
}
