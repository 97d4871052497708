using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace RetailEdge.Mqtt.Tests;

/// <summary>Our server's rules, spoken to over in-memory channels.</summary>
public class MqttServerTests
{
    [Fact]
    public async Task Connect_ProtocolLevel3_RefusedWithReturnCode1()
    {
        await using var harness = new InMemoryServer();
        await using var raw = new RawClient(harness.Connect());

        await raw.ConnectAsync("old", protocolLevel: 3);

        var ack = Assert.IsType<MqttConnAckPacket>(await raw.ReceiveAsync());
        Assert.Equal(MqttConnectReturnCode.UnacceptableProtocolVersion, ack.ReturnCode);
        await raw.WaitClosedAsync();
    }

    [Fact]
    public async Task Connect_FirstPacketNotConnect_Closed()
    {
        await using var harness = new InMemoryServer();
        await using var raw = new RawClient(harness.Connect());

        await raw.SendAsync(MqttPingReqPacket.Instance);

        Assert.Null(await raw.ReceiveAsync());
        await Eventually.TrueAsync(() => harness.Server.RejectedPackets == 1, "rejection counted");
    }

    [Fact]
    public async Task Publish_Qos2_ClosesConnectionWithoutAcknowledging()
    {
        var seen = 0;
        await using var harness = new InMemoryServer(new MqttServerOptions { InterceptPublishAsync = (_, _) => { Interlocked.Increment(ref seen); return ValueTask.FromResult(MqttPublishDisposition.Route); } });
        await using var raw = new RawClient(harness.Connect());
        await raw.ConnectAsync("q2");
        Assert.IsType<MqttConnAckPacket>(await raw.ReceiveAsync());

        await raw.SendAsync(new MqttPublishPacket { Topic = "t", QualityOfService = MqttQualityOfService.ExactlyOnce, PacketId = 1 });

        Assert.Null(await raw.ReceiveAsync());
        Assert.Equal(0, seen);
        Assert.Equal(1, harness.Server.RejectedPackets);
    }

    [Fact]
    public async Task Publish_LargerThanMaxPacketSize_ClosedBeforeBuffering()
    {
        await using var harness = new InMemoryServer(new MqttServerOptions { MaxPacketSize = 256 * 1024 });
        await using var raw = new RawClient(harness.Connect());
        await raw.ConnectAsync("big");
        Assert.IsType<MqttConnAckPacket>(await raw.ReceiveAsync());

        // only the fixed header of a 300 KB publish: the server must refuse it on the announced size
        var header = new byte[5];
        header[0] = 0x30;
        var n = MqttPacketEncoder.WriteRemainingLength(300 * 1024, header.AsSpan(1));
        await raw.SendAsync(header[..(1 + n)]);

        Assert.Null(await raw.ReceiveAsync());
        Assert.Equal(1, harness.Server.RejectedPackets);
    }

    [Fact]
    public async Task Publish_ExactlyMaxPacketSize_Accepted()
    {
        var sizes = new ConcurrentQueue<int>();
        await using var harness = new InMemoryServer(new MqttServerOptions
        {
            MaxPacketSize = 256 * 1024,
            InterceptPublishAsync = (p, _) => { sizes.Enqueue(p.Payload.Length); return ValueTask.FromResult(MqttPublishDisposition.Acknowledge); },
        });
        await using var client = new MqttClient(harness.ClientOptions("c"));
        await client.ConnectAsync();
        // fixed header 1 + 3 varint bytes, topic 2 + 1, packet id 2
        var payload = new byte[(256 * 1024) - 9];

        await client.PublishAsync("t", payload, MqttQualityOfService.AtLeastOnce).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([payload.Length], sizes);
    }

    [Fact]
    public async Task Garbage_FromOneClient_ClosesItAndServesOthers()
    {
        await using var harness = new InMemoryServer();
        await using var good = new MqttClient(harness.ClientOptions("good") with { AutoAcknowledge = true });
        await good.ConnectAsync();
        await good.SubscribeAsync("t/#");
        await using var raw = new RawClient(harness.Connect());
        await raw.ConnectAsync("bad");
        Assert.IsType<MqttConnAckPacket>(await raw.ReceiveAsync());

        await raw.SendAsync(Convert.FromHexString("3005FFFF616263")); // topic length 65535 in a 5-byte packet

        Assert.Null(await raw.ReceiveAsync());
        Assert.Equal(1, harness.Server.RejectedPackets);
        await good.PublishAsync("t/1", Encoding.UTF8.GetBytes("still here"), MqttQualityOfService.AtLeastOnce);
        Assert.Equal("t/1", (await Eventually.NextMessageAsync(good)).Topic);
    }

    [Fact]
    public async Task KeepAlive_ClientSilent_ClosedAfterOneAndAHalfTimes()
    {
        await using var harness = new InMemoryServer();
        await using var raw = new RawClient(harness.Connect());
        await raw.ConnectAsync("quiet", keepAliveSeconds: 1);
        Assert.IsType<MqttConnAckPacket>(await raw.ReceiveAsync());
        var stopwatch = Stopwatch.StartNew();

        await raw.WaitClosedAsync(TimeSpan.FromSeconds(10));

        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(1.3), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Connect_SameClientIdTwice_DropsTheFirst()
    {
        await using var harness = new InMemoryServer();
        var disconnected = new ConcurrentQueue<string>();
        harness.Server.ClientDisconnected += (_, e) => disconnected.Enqueue(e.ClientId);
        await using var first = new MqttClient(harness.ClientOptions("dev/mod") with { AutoReconnect = false });
        await first.ConnectAsync();

        await using var second = new MqttClient(harness.ClientOptions("dev/mod"));
        await second.ConnectAsync();

        await Eventually.TrueAsync(() => first.State == MqttConnectionState.Closed, "first connection dropped");
        Assert.True(second.IsConnected);
        Assert.Equal(["dev/mod"], disconnected);
        Assert.Equal(["dev/mod"], harness.Server.ConnectedClientIds);
    }

    [Fact]
    public async Task Route_Qos1ToQos0Subscription_DeliveredAtLowerQos()
    {
        await using var harness = new InMemoryServer();
        await using var subscriber = new MqttClient(harness.ClientOptions("sub"));
        await subscriber.ConnectAsync();
        await subscriber.SubscribeAsync("a/+/c", MqttQualityOfService.AtMostOnce);
        await using var publisher = new MqttClient(harness.ClientOptions("pub"));
        await publisher.ConnectAsync();

        await publisher.PublishAsync("a/b/c", Encoding.UTF8.GetBytes("x"), MqttQualityOfService.AtLeastOnce);
        await publisher.PublishAsync("a/b/d", Encoding.UTF8.GetBytes("y"), MqttQualityOfService.AtLeastOnce);
        await publisher.PublishAsync("a/b/c", Encoding.UTF8.GetBytes("z"), MqttQualityOfService.AtLeastOnce);

        var first = await Eventually.NextMessageAsync(subscriber);
        var second = await Eventually.NextMessageAsync(subscriber);
        Assert.Equal(MqttQualityOfService.AtMostOnce, first.QualityOfService);
        Assert.Equal(["x", "z"], new[] { first, second }.Select(m => Encoding.UTF8.GetString(m.Payload.Span)));
    }

    [Fact]
    public async Task AuthorizeSubscribe_Refused_SubAckFailure()
    {
        await using var harness = new InMemoryServer(new MqttServerOptions
        {
            AuthorizeSubscribeAsync = (s, _) => ValueTask.FromResult(s.TopicFilter.StartsWith("devices/", StringComparison.Ordinal) ? MqttSubAckReturnCode.GrantedQualityOfService1 : MqttSubAckReturnCode.Failure),
        });
        await using var client = new MqttClient(harness.ClientOptions("c"));
        await client.ConnectAsync();

        var codes = await client.SubscribeAsync([new MqttSubscription("devices/d/#"), new MqttSubscription("#")]);

        Assert.Equal([MqttSubAckReturnCode.GrantedQualityOfService1, MqttSubAckReturnCode.Failure], codes);
    }

    [Fact]
    public async Task PersistentSession_MessageWhileOffline_DeliveredOnReconnect()
    {
        await using var harness = new InMemoryServer();
        var options = harness.ClientOptions("gw") with { CleanSession = false, AutoAcknowledge = true };
        var first = new MqttClient(options);
        await first.ConnectAsync();
        await first.SubscribeAsync("in/#");
        await first.DisconnectAsync();
        await first.DisposeAsync();
        await Eventually.TrueAsync(() => harness.Server.ConnectedClientIds.Count == 0, "offline");

        Assert.Equal(1, await harness.Server.RouteAsync(new MqttApplicationMessage("in/x", Encoding.UTF8.GetBytes("queued"))));
        Assert.Equal(0, await harness.Server.RouteAsync(new MqttApplicationMessage("in/x", Encoding.UTF8.GetBytes("qos0 offline"), MqttQualityOfService.AtMostOnce)));
        await using var second = new MqttClient(options);
        await second.ConnectAsync();

        var message = await Eventually.NextMessageAsync(second);
        Assert.Equal("queued", Encoding.UTF8.GetString(message.Payload.Span));
        Assert.Equal(1, harness.Server.DroppedMessages);
    }
}
