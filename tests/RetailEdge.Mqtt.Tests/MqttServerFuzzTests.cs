using System.Text;

namespace RetailEdge.Mqtt.Tests;

/// <summary>Random and mutated byte streams against our server: every connection ends, the server keeps serving.</summary>
public class MqttServerFuzzTests
{
    [Fact]
    public async Task HandleChannel_1000MutatedStreams_AllEndAndServerStillServes()
    {
        var random = new Random(1121);
        await using var harness = new InMemoryServer(new MqttServerOptions { MaxPacketSize = 64 * 1024, ConnectTimeout = TimeSpan.FromSeconds(5) });
        var session = MqttPacketEncoder.Encode(new MqttConnectPacket { ClientId = "fuzz", KeepAliveSeconds = 30, UserName = "u", Password = [1, 2] })
            .Concat(MqttPacketEncoder.Encode(new MqttSubscribePacket { PacketId = 1, Subscriptions = [new("f/#")] }))
            .Concat(MqttPacketEncoder.Encode(new MqttPublishPacket { Topic = "f/x", Payload = Encoding.UTF8.GetBytes("payload"), QualityOfService = MqttQualityOfService.AtLeastOnce, PacketId = 2 }))
            .Concat(MqttPacketEncoder.Encode(MqttPingReqPacket.Instance))
            .ToArray();

        for (var i = 0; i < 1000; i++)
        {
            var bytes = (byte[])session.Clone();
            for (var n = random.Next(1, 4); n > 0; n--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            if (random.Next(4) == 0)
            {
                bytes = bytes[..random.Next(bytes.Length)];
            }
            var channel = harness.Connect();
            await channel.WriteAsync(bytes, CancellationToken.None);
            // the peer goes away; whatever state the server was in, the connection must end
            await channel.DisposeAsync();
        }

        await harness.WaitServedAsync(TimeSpan.FromSeconds(30));
        Assert.True(harness.Server.RejectedPackets > 100, $"rejected {harness.Server.RejectedPackets}");
        Assert.Empty(harness.Server.ConnectedClientIds);
        await using var client = new MqttClient(harness.ClientOptions("after") with { AutoAcknowledge = true });
        await client.ConnectAsync();
        await client.SubscribeAsync("f/#");
        await client.PublishAsync("f/ok", Encoding.UTF8.GetBytes("fine"), MqttQualityOfService.AtLeastOnce);
        Assert.Equal("f/ok", (await Eventually.NextMessageAsync(client)).Topic);
    }
}
