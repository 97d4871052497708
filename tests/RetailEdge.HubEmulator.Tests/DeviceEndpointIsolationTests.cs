using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using RetailEdge.IotHub;

namespace RetailEdge.HubEmulator.Tests;

/// <summary>
/// The device endpoint's connection guarantees on MQTTnet.Server: a bad connection (malformed
/// packet, oversize message, silent past its keep-alive) is closed alone, and a healthy module
/// connected at the same time keeps working; an idle client's keep-alive keeps it connected.
/// </summary>
public class DeviceEndpointIsolationTests
{
    private static async Task<IotHubModuleClient> OpenHealthyClientAsync(EmulatorHarness hub, ConcurrentQueue<IotHubConnectionStatus> statuses, TimeSpan keepAlive)
    {
        await hub.Emulator.Registry.AddModuleAsync("healthy", "m");
        var client = new IotHubModuleClient(hub.Emulator.ModuleClientOptions("healthy", "m") with { KeepAlive = keepAlive, OperationTimeout = TimeSpan.FromSeconds(15) });
        client.ConnectionStatusChanged += (_, e) => statuses.Enqueue(e.Status);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await client.OpenAsync(timeout.Token);
        return client;
    }

    private static async Task<NetworkStream> ConnectRawAsync(EmulatorHarness hub, TcpClient socket, string deviceId, ushort keepAliveSeconds)
    {
        var module = await hub.Emulator.Registry.AddModuleAsync(deviceId, "m");
        var token = await NodeSas.TokenAsync($"{hub.Emulator.HostName}/devices/{deviceId}/modules/m", module.PrimaryKey, DateTimeOffset.UtcNow.AddMinutes(10));
        await socket.ConnectAsync(hub.Emulator.MqttEndPoint);
        var stream = socket.GetStream();
        await stream.WriteAsync(RawMqtt.Connect($"{deviceId}/m", $"{hub.Emulator.HostName}/{deviceId}/m/?api-version=2021-04-12", token, keepAliveSeconds));
        var connAck = new byte[4];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stream.ReadExactlyAsync(connAck, timeout.Token);
        Assert.Equal(new byte[] { 0x20, 0x02, 0x00, 0x00 }, connAck);
        return stream;
    }

    private static async Task AssertClosedAsync(NetworkStream stream, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var buffer = new byte[64];
        try
        {
            while (await stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // reset by the server: closed as well
        }
    }

    private static async Task AssertStillServedAsync(EmulatorHarness hub, IotHubModuleClient client, string messageId)
    {
        await client.SendEventAsync(new IotHubMessage(Encoding.UTF8.GetBytes("{}")) { MessageId = messageId }, CancellationToken.None);
        var twin = await client.GetTwinAsync(CancellationToken.None);
        Assert.True(twin.ReportedVersion >= 1);
        await hub.Emulator.Routing.FlushAsync(CancellationToken.None);
        Assert.Contains(hub.RoutedLines(), l => JsonNode.Parse(l.Line)!["SystemProperties"]!["messageId"]!.GetValue<string>() == messageId);
    }

    [Fact]
    public async Task MalformedPacketAndOversizeMessage_OnlyTheirConnectionsClosed_OtherModuleKeepsSendingAndReadingItsTwin()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        var statuses = new ConcurrentQueue<IotHubConnectionStatus>();
        await using var healthy = await OpenHealthyClientAsync(hub, statuses, TimeSpan.FromSeconds(60));
        await AssertStillServedAsync(hub, healthy, "before");

        // a PUBLISH whose topic length runs past the end of its body (spec 2.2.3)
        using var malformedSocket = new TcpClient();
        var malformed = await ConnectRawAsync(hub, malformedSocket, "malformed", 60);
        await malformed.WriteAsync(new byte[] { 0x30, 0x04, 0x00, 0xFF, (byte)'a', (byte)'b' });
        await AssertClosedAsync(malformed, TimeSpan.FromSeconds(10));

        // a 1 MB QoS 1 telemetry message: four times IoT Hub's 256 KB limit
        using var oversizeSocket = new TcpClient();
        var oversize = await ConnectRawAsync(hub, oversizeSocket, "oversize", 60);
        var topic = Encoding.UTF8.GetBytes("devices/oversize/modules/m/messages/events/");
        var body = new List<byte> { (byte)(topic.Length >> 8), (byte)topic.Length };
        body.AddRange(topic);
        body.AddRange([0x00, 0x01]);
        body.AddRange(new byte[1024 * 1024]);
        var remaining = body.Count;
        var header = new List<byte> { 0x32 };
        do
        {
            var digit = (byte)(remaining % 128);
            remaining /= 128;
            header.Add(remaining > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (remaining > 0);
        try
        {
            await oversize.WriteAsync(header.Concat(body).ToArray());
        }
        catch (IOException)
        {
            // the server may close while the rest is still being written
        }
        await AssertClosedAsync(oversize, TimeSpan.FromSeconds(10));

        await AssertStillServedAsync(hub, healthy, "after");
        Assert.Equal(1, hub.Emulator.Metrics.PublishesRejected);
        Assert.Contains("exceeds the 262144-byte limit", hub.Logs.Text, StringComparison.Ordinal);
        Assert.Equal(IotHubConnectionStatus.Connected, healthy.Status);
        Assert.DoesNotContain(IotHubConnectionStatus.Reconnecting, statuses);
        await hub.Emulator.Routing.FlushAsync(CancellationToken.None);
        Assert.DoesNotContain(hub.RoutedLines(), l => l.Line.Contains("oversize", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeepAlive_SilentRawClientClosedAfterOneAndAHalfPeriods_IdleModuleClientPingsAndStaysConnected()
    {
        await using var hub = await EmulatorHarness.StartAsync();
        var statuses = new ConcurrentQueue<IotHubConnectionStatus>();
        await using var idle = await OpenHealthyClientAsync(hub, statuses, TimeSpan.FromSeconds(1));

        // spec 3.1.2.10: no packet within 1.5 × the keep-alive closes the connection
        using var silentSocket = new TcpClient();
        var silent = await ConnectRawAsync(hub, silentSocket, "silent", keepAliveSeconds: 1);
        var started = DateTime.UtcNow;
        await AssertClosedAsync(silent, TimeSpan.FromSeconds(15));
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(1), "closed before the keep-alive ran out");

        // the module client sent nothing but PINGREQs for several periods: still the same connection
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(IotHubConnectionStatus.Connected, idle.Status);
        Assert.DoesNotContain(IotHubConnectionStatus.Reconnecting, statuses);
        await AssertStillServedAsync(hub, idle, "idle-1");
    }
}
