using System.Diagnostics;
using System.Text.Json.Nodes;

namespace RetailEdge.HubEmulator.Tests;

/// <summary>
/// Microsoft's device SDK for Node (azure-iot-device + azure-iot-device-mqtt) as a module, with a
/// connection string a user writes for an edge gateway (<c>…;GatewayHostName=127.0.0.1</c>: MQTT
/// over TLS on port 8883), and the service SDK invoking its methods and patching its twin.
/// </summary>
[Collection(OfficialSdkCollection.Name)]
public class OfficialDeviceSdkTests(OfficialSdkHub hub)
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(120);

    private const string Requires = """
        const { ModuleClient, Message, SharedAccessKeyAuthenticationProvider } = require('azure-iot-device');
        const { Mqtt } = require('azure-iot-device-mqtt');
        const { Client, Registry } = require('azure-iothub');
        const callback = (call) => new Promise((resolve, reject) => call((e, v) => (e ? reject(e) : resolve(v))));

        """;

    [Fact]
    public async Task ModuleClient_TelemetryTwinDesiredOfflineAndMethods_AllThroughTheEmulator()
    {
        await hub.Emulator.Registry.AddModuleAsync("sdk-device-gw", "StoreGateway");
        const string script = Requires + """
            const [moduleCs, serviceCs, deviceId, moduleId] = process.argv.slice(2);
            (async () => {
              const out = {};
              const registry = Registry.fromConnectionString(serviceCs);
              const service = Client.fromConnectionString(serviceCs);
              const client = ModuleClient.fromConnectionString(moduleCs, Mqtt);
              await client.open();

              const message = new Message(JSON.stringify({ seq: 1, kind: 'sale' }));
              message.messageId = 'sdk-msg-1';
              message.contentType = 'application/json';
              message.contentEncoding = 'utf-8';
              message.properties.add('storeId', '017');
              message.properties.add('schema', 'retailedge.telemetry/1');
              await client.sendEvent(message);

              const twin = await client.getTwin();
              out.firstDesiredVersion = twin.properties.desired.$version;
              await callback(cb => twin.properties.reported.update({ firmware: '1.0', window: { seconds: 60 } }, cb));
              const patches = [];
              twin.on('properties.desired', delta => patches.push(JSON.parse(JSON.stringify(delta))));
              await sleep(500);

              let read = (await registry.getModuleTwin(deviceId, moduleId)).responseBody;
              out.reported = read.properties.reported.firmware;
              await registry.updateModuleTwin(deviceId, moduleId, { properties: { desired: { windowSeconds: 30 } } }, read.etag);
              await waitFor(() => patches.some(p => p.windowSeconds === 30), 'the live desired patch');

              await client.close();
              read = (await registry.getModuleTwin(deviceId, moduleId)).responseBody;
              out.offlineState = read.connectionState;
              await registry.updateModuleTwin(deviceId, moduleId, { properties: { desired: { offline: 'first' } } }, '*');
              read = (await registry.getModuleTwin(deviceId, moduleId)).responseBody;
              await registry.updateModuleTwin(deviceId, moduleId, { properties: { desired: { offline: 'second', windowSeconds: 45 } } }, read.etag);
              // the module starts again, as after a restart: the twin it reads holds what changed while it was away
              const restarted = ModuleClient.fromConnectionString(moduleCs, Mqtt);
              await restarted.open();
              const again = await restarted.getTwin();
              out.afterRestart = { offline: again.properties.desired.offline, windowSeconds: again.properties.desired.windowSeconds, version: again.properties.desired.$version };
              const livePatches = [];
              again.on('properties.desired', delta => livePatches.push(JSON.parse(JSON.stringify(delta))));
              await sleep(500);
              read = (await registry.getModuleTwin(deviceId, moduleId)).responseBody;
              await registry.updateModuleTwin(deviceId, moduleId, { properties: { desired: { live: 'again' } } }, read.etag);
              await waitFor(() => livePatches.some(p => p.live === 'again'), 'the desired patch after the restart');

              restarted.onMethod('flush', (request, response) => response.send(200, { flushed: request.payload.count }, () => {}));
              restarted.onMethod('slow', () => { /* never answers: the hub times out */ });
              const answered = await service.invokeDeviceMethod(deviceId, moduleId, { methodName: 'flush', payload: { count: 3 }, responseTimeoutInSeconds: 30, connectTimeoutInSeconds: 10 });
              out.method = answered.result;
              const started = Date.now();
              try {
                await service.invokeDeviceMethod(deviceId, moduleId, { methodName: 'slow', payload: {}, responseTimeoutInSeconds: 5, connectTimeoutInSeconds: 10 });
                out.timeout = 'none';
              } catch (e) {
                out.timeout = errorName(e);
                out.timeoutStatus = e.response && e.response.statusCode;
                out.timeoutSeconds = (Date.now() - started) / 1000;
              }
              await restarted.close();
              result(out);
              process.exit(0);
            })().catch(fail);
            """;

        var result = await hub.RunAsync(script, ScriptTimeout,
            hub.GatewayModuleConnectionString("sdk-device-gw", "StoreGateway"), hub.ServiceConnectionString, "sdk-device-gw", "StoreGateway");
        await hub.Emulator.Routing.FlushAsync(CancellationToken.None);

        var record = RoutedRecords().Single(r => r["SystemProperties"]!["messageId"]?.GetValue<string>() == "sdk-msg-1");
        Assert.Equal("017", record["Properties"]!["storeId"]!.GetValue<string>());
        Assert.Equal("retailedge.telemetry/1", record["Properties"]!["schema"]!.GetValue<string>());
        Assert.Equal("sale", record["Body"]!["kind"]!.GetValue<string>());
        Assert.Equal("StoreGateway", record["SystemProperties"]!["connectionModuleId"]!.GetValue<string>());
        Assert.Equal("1.0", result["reported"]!.GetValue<string>());
        Assert.Equal("Disconnected", result["offlineState"]!.GetValue<string>());
        var afterRestart = result["afterRestart"]!;
        Assert.Equal("second", afterRestart["offline"]!.GetValue<string>());
        Assert.Equal(45, afterRestart["windowSeconds"]!.GetValue<int>());
        Assert.Equal(result["firstDesiredVersion"]!.GetValue<int>() + 3, afterRestart["version"]!.GetValue<int>());
        Assert.Equal(200, result["method"]!["status"]!.GetValue<int>());
        Assert.Equal(3, result["method"]!["payload"]!["flushed"]!.GetValue<int>());
        Assert.Equal("GatewayTimeoutError", result["timeout"]!.GetValue<string>());
        Assert.Equal(504, result["timeoutStatus"]!.GetValue<int>());
        Assert.InRange(result["timeoutSeconds"]!.GetValue<double>(), 4.5, 60);
    }

    [Fact]
    public async Task ModuleClient_WrongKey_UnauthorizedErrorQuickly()
    {
        await hub.Emulator.Registry.AddModuleAsync("sdk-badkey-gw", "StoreGateway");
        var wrongKey = Convert.ToBase64String(new byte[32]);
        var connectionString = $"HostName={hub.Emulator.HostName};DeviceId=sdk-badkey-gw;ModuleId=StoreGateway;SharedAccessKey={wrongKey};GatewayHostName=127.0.0.1";
        const string script = Requires + """
            const [moduleCs] = process.argv.slice(2);
            (async () => {
              const client = ModuleClient.fromConnectionString(moduleCs, Mqtt);
              const started = Date.now();
              try { await client.open(); result({ error: 'none' }); }
              catch (e) { result({ error: errorName(e), seconds: (Date.now() - started) / 1000 }); }
              process.exit(0);
            })().catch(fail);
            """;
        var stopwatch = Stopwatch.StartNew();

        var result = await hub.RunAsync(script, ScriptTimeout, connectionString);

        Assert.Equal("UnauthorizedError", result["error"]!.GetValue<string>());
        Assert.InRange(result["seconds"]!.GetValue<double>(), 0, 10);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task ModuleClient_ShortLivedTokens_RenewedAndStillSending()
    {
        await hub.Emulator.Registry.AddModuleAsync("sdk-renew-gw", "StoreGateway");
        var accepted = hub.Emulator.Metrics.ConnectionsAccepted;
        const string script = Requires + """
            const [moduleCs] = process.argv.slice(2);
            (async () => {
              // tokens valid 20 s, renewed when fewer than 12 s remain: a new token about every 8 s
              const provider = SharedAccessKeyAuthenticationProvider.fromConnectionString(moduleCs, 20, 12);
              let renewals = 0;
              provider.on('newTokenAvailable', () => { renewals++; });
              const client = ModuleClient.fromAuthenticationProvider(provider, Mqtt);
              await client.open();
              let sent = 0;
              const deadline = Date.now() + 60000;
              while ((renewals < 3 || sent < 5) && Date.now() < deadline) {
                const message = new Message(JSON.stringify({ n: sent }));
                message.messageId = `sdk-renew-${sent}`;
                await client.sendEvent(message);
                sent++;
                await sleep(1000);
              }
              await client.close();
              result({ renewals, sent });
              process.exit(0);
            })().catch(fail);
            """;

        var result = await hub.RunAsync(script, ScriptTimeout, hub.GatewayModuleConnectionString("sdk-renew-gw", "StoreGateway"));
        await hub.Emulator.Routing.FlushAsync(CancellationToken.None);

        var sent = result["sent"]!.GetValue<int>();
        Assert.True(result["renewals"]!.GetValue<int>() >= 3, result.ToJsonString());
        Assert.True(hub.Emulator.Metrics.ConnectionsAccepted - accepted >= 2, "the SDK reconnects with each renewed token");
        var routed = RoutedRecords().Select(r => r["SystemProperties"]!["messageId"]?.GetValue<string>() ?? string.Empty).Where(id => id.StartsWith("sdk-renew-", StringComparison.Ordinal)).ToHashSet();
        Assert.Equal(Enumerable.Range(0, sent).Select(n => $"sdk-renew-{n}").ToHashSet(), routed);
    }

    [Fact]
    public async Task ModuleClient_EmulatorRestarts_SameCertificateStillTrustedAndTelemetryGoesOn()
    {
        await hub.Emulator.Registry.AddModuleAsync("sdk-restart-gw", "StoreGateway");
        using var signal = new RetailEdge.Testing.TempDirectory("sdk-restart");
        var restarted = signal.Combine("restarted");
        const string script = Requires + """
            const fs = require('fs');
            const [moduleCs, restartedFile] = process.argv.slice(2);
            (async () => {
              const client = ModuleClient.fromConnectionString(moduleCs, Mqtt);
              await client.open();
              const first = new Message('{"n":1}');
              first.messageId = 'sdk-restart-1';
              await client.sendEvent(first);
              console.log('READY');
              await waitFor(() => fs.existsSync(restartedFile), 'the emulator restart', 90000);
              // the SDK reconnects on its own (retry policy) and sends once the new emulator accepts it
              const second = new Message('{"n":2}');
              second.messageId = 'sdk-restart-2';
              await client.sendEvent(second);
              await client.close();
              result({ sent: 2 });
              process.exit(0);
            })().catch(fail);
            """;
        await using var node = hub.Start(script, hub.GatewayModuleConnectionString("sdk-restart-gw", "StoreGateway"), restarted);
        await node.WaitForOutputAsync("READY", ScriptTimeout);

        await hub.RestartAsync();
        await File.WriteAllTextAsync(restarted, "now");
        try
        {
            Assert.Equal(0, await node.WaitForExitAsync(ScriptTimeout));
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("the module did not send again after the emulator restarted:\n" + node.Output);
        }
        await hub.Emulator.Routing.FlushAsync(CancellationToken.None);

        Assert.Equal(2, OfficialSdkHub.ParseResult(node.Output)["sent"]!.GetValue<int>());
        var ids = RoutedRecords().Select(r => r["SystemProperties"]!["messageId"]?.GetValue<string>() ?? string.Empty).ToList();
        Assert.Contains("sdk-restart-1", ids);
        Assert.Contains("sdk-restart-2", ids);
        Assert.True(hub.Emulator.Metrics.ConnectionsAccepted >= 1);
    }

    private List<JsonObject> RoutedRecords() =>
        !Directory.Exists(hub.RoutingFolder)
            ? []
            : Directory.EnumerateFiles(hub.RoutingFolder, "*", SearchOption.AllDirectories)
                .Where(f => !Path.GetFileName(f).StartsWith('.'))
                .SelectMany(File.ReadAllLines)
                .Where(l => l.Length > 0)
                .Select(l => JsonNode.Parse(l)!.AsObject())
                .ToList();
}
