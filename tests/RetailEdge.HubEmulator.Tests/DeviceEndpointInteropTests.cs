using System.Net.Sockets;
using System.Text.Json.Nodes;
using RetailEdge.IotHub.Credentials;
using RetailEdge.Testing;

namespace RetailEdge.HubEmulator.Tests;

/// <summary>Independent clients (Node's mqtt package, mosquitto_pub, raw sockets) against the emulator's device endpoint.</summary>
public class DeviceEndpointInteropTests
{
    private const string NodePublisher = """
        const crypto = require('crypto');
        const mqtt = require('mqtt');
        const [port, host, deviceId, moduleId, key] = process.argv.slice(2);
        const sr = encodeURIComponent(`${host}/devices/${deviceId}/modules/${moduleId}`);
        const se = Math.floor(Date.now() / 1000) + 600;
        const sig = crypto.createHmac('sha256', Buffer.from(key, 'base64')).update(sr + '\n' + se).digest('base64');
        const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
          clientId: `${deviceId}/${moduleId}`,
          username: `${host}/${deviceId}/${moduleId}/?api-version=2021-04-12`,
          password: `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${se}`,
          protocolVersion: 4, reconnectPeriod: 0, clean: true,
        });
        const base = `devices/${deviceId}/modules/${moduleId}/messages/events/`;
        client.on('error', e => { console.log('ERROR ' + e.message); process.exit(3); });
        client.on('connect', async () => {
          await client.publishAsync(base + '%24.mid=node-1&%24.ct=application%2Fjson&%24.ce=utf-8&storeId=17', JSON.stringify({ seq: 1, hello: 'world' }), { qos: 1 });
          await client.publishAsync(base + '%24.mid=node-2&%24.ct=application%2Foctet-stream&%24.ce=gzip', Buffer.from([0x1f, 0x8b, 0, 1, 2]), { qos: 1 });
          console.log('PUBLISHED');
          await client.endAsync();
        });
        """;

    [Fact]
    public async Task NodeMqttClient_NodeSasToken_TelemetryRoutedWithRecordShape()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        var module = await hub.Emulator.Registry.AddModuleAsync("store017-gw", "StoreGateway");

        var output = await NodeScript.RunAsync(NodePublisher, TimeSpan.FromSeconds(30),
            hub.Emulator.MqttEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), hub.Emulator.HostName, "store017-gw", "StoreGateway", module.PrimaryKey);
        await hub.Emulator.Routing.FlushAsync(CancellationToken.None);

        Assert.Contains("PUBLISHED", output, StringComparison.Ordinal);
        var lines = hub.RoutedLines();
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Matches(@"^testhub/0[0-3]/\d{4}/\d{2}/\d{2}/\d{2}/\d{2}$", l.File.Replace('\\', '/')));
        var records = lines.Select(l => JsonNode.Parse(l.Line)!.AsObject()).ToDictionary(r => r["SystemProperties"]!["messageId"]!.GetValue<string>());
        var json = records["node-1"];
        Assert.Equal("world", json["Body"]!["hello"]!.GetValue<string>());
        Assert.Equal("17", json["Properties"]!["storeId"]!.GetValue<string>());
        Assert.Equal("store017-gw", json["SystemProperties"]!["connectionDeviceId"]!.GetValue<string>());
        Assert.Equal("StoreGateway", json["SystemProperties"]!["connectionModuleId"]!.GetValue<string>());
        Assert.Equal(module.GenerationId, json["SystemProperties"]!["connectionDeviceGenerationId"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String([0x1f, 0x8b, 0, 1, 2]), records["node-2"]["Body"]!.GetValue<string>());
        Assert.Equal("gzip", records["node-2"]["SystemProperties"]!["contentEncoding"]!.GetValue<string>());
    }

    public static TheoryData<string> BadConnects => new() { "wrong-key", "expired", "wrong-username", "other-module-token" };

    [Theory]
    [MemberData(nameof(BadConnects))]
    public async Task MosquittoPub_BadCredentials_RefusedAndTokenNotLogged(string scenario)
    {
        await using var hub = await EmulatorHarness.StartAsync();
        var module = await hub.Emulator.Registry.AddModuleAsync("store017-gw", "StoreGateway");
        var other = await hub.Emulator.Registry.AddModuleAsync("store017-gw", "Other");
        var host = hub.Emulator.HostName;
        var resource = $"{host}/devices/store017-gw/modules/StoreGateway";
        var userName = $"{host}/store017-gw/StoreGateway/?api-version=2021-04-12";
        var key = module.PrimaryKey;
        var expiry = DateTimeOffset.UtcNow.AddMinutes(10);
        switch (scenario)
        {
            case "wrong-key":
                key = Convert.ToBase64String(new byte[32]);
                break;
            case "expired":
                expiry = DateTimeOffset.UtcNow.AddMinutes(-1);
                break;
            case "wrong-username":
                userName = $"{host}/store017-gw/Other/?api-version=2021-04-12";
                break;
            case "other-module-token":
                resource = $"{host}/devices/store017-gw/modules/Other";
                key = other.PrimaryKey;
                break;
        }
        var token = await NodeSas.TokenAsync(resource, key, expiry);
        var signature = token.Split("sig=")[1].Split('&')[0];

        await using var pub = ManagedProcess.Start(MosquittoBroker.ClientTool("mosquitto_pub"),
        [
            "-h", "127.0.0.1", "-p", hub.Emulator.MqttEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-V", "mqttv311", "-i", "store017-gw/StoreGateway", "-u", userName, "-P", token,
            "-t", "devices/store017-gw/modules/StoreGateway/messages/events/", "-m", "hello", "-q", "1",
        ]);
        var exit = await pub.WaitForExitAsync(TimeSpan.FromSeconds(20));
        await hub.Emulator.Routing.FlushAsync(CancellationToken.None);

        Assert.NotEqual(0, exit);
        Assert.Empty(hub.RoutedLines());
        Assert.Equal(1, hub.Emulator.Metrics.ConnectionsRefused);
        Assert.Contains("CONNECT refused", hub.Logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(signature, hub.Logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.UnescapeDataString(signature), hub.Logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("SharedAccessSignature", hub.Logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MosquittoPub_ValidToken_Routed()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        var module = await hub.Emulator.Registry.AddModuleAsync("store017-gw", "StoreGateway");
        var host = hub.Emulator.HostName;
        var token = await NodeSas.TokenAsync($"{host}/devices/store017-gw/modules/StoreGateway", module.PrimaryKey, DateTimeOffset.UtcNow.AddMinutes(10));

        await using var pub = ManagedProcess.Start(MosquittoBroker.ClientTool("mosquitto_pub"),
        [
            "-h", "127.0.0.1", "-p", hub.Emulator.MqttEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-V", "mqttv311", "-i", "store017-gw/StoreGateway", "-u", $"{host}/store017-gw/StoreGateway/?api-version=2021-04-12", "-P", token,
            "-t", "devices/store017-gw/modules/StoreGateway/messages/events/%24.mid=mosq-1", "-m", "plain text", "-q", "1",
        ]);
        var exit = await pub.WaitForExitAsync(TimeSpan.FromSeconds(20));
        await hub.Emulator.Routing.FlushAsync(CancellationToken.None);

        Assert.Equal(0, exit);
        var record = JsonNode.Parse(Assert.Single(hub.RoutedLines()).Line)!.AsObject();
        Assert.Equal("mosq-1", record["SystemProperties"]!["messageId"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String("plain text"u8.ToArray()), record["Body"]!.GetValue<string>());
    }

    [Fact]
    public async Task RawSocket_MalformedPacket_ConnectionClosed()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        using var socket = new TcpClient();
        await socket.ConnectAsync(hub.Emulator.MqttEndPoint);
        var stream = socket.GetStream();

        // packet type 15 with flags is reserved in MQTT 3.1.1 (spec 2.2.1): a malformed first packet
        await stream.WriteAsync(new byte[] { 0xF3, 0x02, 0x00, 0x00 });
        var buffer = new byte[16];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await stream.ReadAsync(buffer, timeout.Token);

        Assert.Equal(0, read);
    }

    [Fact]
    public async Task RawSocket_MalformedPublishAfterValidConnect_ClosedAndLoggedWithoutToken()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        var module = await hub.Emulator.Registry.AddModuleAsync("d", "m");
        var token = await NodeSas.TokenAsync($"{hub.Emulator.HostName}/devices/d/modules/m", module.PrimaryKey, DateTimeOffset.UtcNow.AddMinutes(10));
        var signature = token.Split("sig=")[1].Split('&')[0];
        using var socket = new TcpClient();
        await socket.ConnectAsync(hub.Emulator.MqttEndPoint);
        var stream = socket.GetStream();
        await stream.WriteAsync(RawMqtt.Connect("d/m", $"{hub.Emulator.HostName}/d/m/?api-version=2021-04-12", token, keepAliveSeconds: 60));
        var connAck = new byte[4];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stream.ReadExactlyAsync(connAck, timeout.Token);
        Assert.Equal(new byte[] { 0x20, 0x02, 0x00, 0x00 }, connAck);

        // PUBLISH whose topic length (0x00FF) runs past the end of its 4-byte body: malformed (spec 2.2.3)
        await stream.WriteAsync(new byte[] { 0x30, 0x04, 0x00, 0xFF, (byte)'a', (byte)'b' }, timeout.Token);
        var read = await stream.ReadAsync(new byte[16], timeout.Token);

        Assert.Equal(0, read);
        await WaitForLogAsync(hub, "d/m");
        Assert.DoesNotContain(signature, hub.Logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.UnescapeDataString(signature), hub.Logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("SharedAccessSignature", hub.Logs.Text, StringComparison.Ordinal);
    }

    private static async Task WaitForLogAsync(EmulatorHarness hub, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!hub.Logs.Lines.Any(l => l.Contains("disconnected", StringComparison.OrdinalIgnoreCase) && l.Contains(text, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "no disconnect logged:\n" + hub.Logs.Text);
            await Task.Delay(25);
        }
    }

    [Theory]
    [InlineData("{ qos: 2 }", "x")]
    [InlineData("{ qos: 1 }", "big")]
    public async Task NodeMqttClient_QoS2OrOver256KB_ConnectionClosedNothingRouted(string publishOptions, string body)
    {
        await using var hub = await EmulatorHarness.StartAsync();
        var module = await hub.Emulator.Registry.AddModuleAsync("d", "m");
        // 260 KB body: past IoT Hub's 256 KB limit though within the MQTT server's packet bound
        var payload = body == "big" ? "Buffer.alloc(260 * 1024, 65)" : "'x'";
        var script = """
            const crypto = require('crypto');
            const mqtt = require('mqtt');
            const [port, host, key] = process.argv.slice(2);
            const sr = encodeURIComponent(`${host}/devices/d/modules/m`);
            const se = Math.floor(Date.now() / 1000) + 600;
            const sig = crypto.createHmac('sha256', Buffer.from(key, 'base64')).update(sr + '\n' + se).digest('base64');
            const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: 'd/m', username: `${host}/d/m/?api-version=2021-04-12`,
              password: `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${se}`, protocolVersion: 4, reconnectPeriod: 0 });
            client.on('connect', () => {
              console.log('CONNECTED');
              client.publish('devices/d/modules/m/messages/events/', PAYLOAD, OPTIONS);
            });
            client.on('close', () => { console.log('CLOSED'); process.exit(0); });
            setTimeout(() => { console.log('STILL OPEN'); process.exit(4); }, 10000);
            """.Replace("PAYLOAD", payload, StringComparison.Ordinal).Replace("OPTIONS", publishOptions, StringComparison.Ordinal);

        var output = await NodeScript.RunAsync(script, TimeSpan.FromSeconds(30), hub.Emulator.MqttEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), hub.Emulator.HostName, module.PrimaryKey);
        await hub.Emulator.Routing.FlushAsync(CancellationToken.None);

        Assert.Contains("CONNECTED", output, StringComparison.Ordinal);
        Assert.Contains("CLOSED", output, StringComparison.Ordinal);
        Assert.Empty(hub.RoutedLines());
        if (body == "big")
        {
            Assert.Equal(1, hub.Emulator.Metrics.PublishesRejected);
            Assert.Contains("exceeds the 262144-byte limit", hub.Logs.Text, StringComparison.Ordinal);
        }
    }
}
