using System.Collections.Concurrent;

namespace RetailEdge.Mqtt.Tests;

/// <summary>How our client treats a server that breaks the rules: drop the connection, reconnect, lose nothing.</summary>
public class MqttClientProtocolTests
{
    [Theory]
    [InlineData("30FFFF7F", MqttProtocolError.PacketTooLarge)] // a 2 MB PUBLISH announced to a 1 MB client
    [InlineData("3405000161000A", MqttProtocolError.InvalidQualityOfService)] // QoS 2 PUBLISH (never subscribed at 2)
    [InlineData("20020000", MqttProtocolError.UnexpectedPacket)] // a second CONNACK
    [InlineData("90020001", MqttProtocolError.InvalidField)] // SUBACK with no return codes
    public async Task ServerSendsBadPacket_ConnectionDroppedAndReconnected(string hex, MqttProtocolError expected)
    {
        var servers = new ConcurrentQueue<ScriptedServer>();
        var reasons = new ConcurrentQueue<Exception?>();
        await using var client = new MqttClient(new MqttClientOptions
        {
            ClientId = "strict",
            ChannelFactory = new MqttChannelFactory(_ =>
            {
                var (client, server) = MqttInMemoryChannel.CreatePair();
                servers.Enqueue(new ScriptedServer(server));
                return ValueTask.FromResult<IMqttChannel>(client);
            }),
            MaxPacketSize = 1024 * 1024,
            ReconnectMinDelay = TimeSpan.FromMilliseconds(10),
        });
        client.ConnectionStateChanged += (_, e) =>
        {
            if (e.State == MqttConnectionState.Disconnected)
            {
                reasons.Enqueue(e.Reason);
            }
        };
        var connecting = client.ConnectAsync();
        await Eventually.TrueAsync(() => !servers.IsEmpty, "channel");
        var first = servers.First();
        Assert.IsType<MqttConnectPacket>(await first.NextAsync());
        await first.SendAsync(new MqttConnAckPacket());
        await connecting;

        await first.SendRawAsync(Convert.FromHexString(hex));

        await Eventually.TrueAsync(() => servers.Count == 2, "reconnect");
        var reason = Assert.IsType<MqttProtocolException>(Assert.Single(reasons));
        Assert.Equal(expected, reason.Error);
        Assert.Equal(1, client.ProtocolViolations);
        Assert.IsType<MqttConnectPacket>(await servers.Last().NextAsync());
    }
}
