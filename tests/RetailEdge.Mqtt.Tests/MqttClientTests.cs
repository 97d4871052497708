using System.Collections.Concurrent;
using System.Text;

namespace RetailEdge.Mqtt.Tests;

/// <summary>Our client against our server over in-memory channels: the session rules, fast.</summary>
public class MqttClientTests
{
    private static readonly byte[] Hello = Encoding.UTF8.GetBytes("hello");

    [Fact]
    public async Task ConnectAsync_ServerRefusesCredentials_ThrowsWithReturnCode()
    {
        await using var harness = new InMemoryServer(new MqttServerOptions
        {
            AuthenticateAsync = (c, _) => ValueTask.FromResult(c.PasswordText == "right" ? MqttConnectReturnCode.Accepted : MqttConnectReturnCode.BadUserNameOrPassword),
        });
        await using var client = new MqttClient(harness.ClientOptions("c1") with { Credentials = new MqttCredentials("u", "wrong") });

        var ex = await Assert.ThrowsAsync<MqttConnectException>(() => client.ConnectAsync());

        Assert.Equal(MqttConnectReturnCode.BadUserNameOrPassword, ex.ReturnCode);
        Assert.Equal(MqttConnectionState.Disconnected, client.State);
    }

    [Fact]
    public async Task CredentialsProvider_Reconnect_SuppliesFreshPasswordEachTime()
    {
        var seen = new ConcurrentQueue<string?>();
        await using var harness = new InMemoryServer(new MqttServerOptions
        {
            AuthenticateAsync = (c, _) =>
            {
                seen.Enqueue(c.PasswordText);
                return ValueTask.FromResult(MqttConnectReturnCode.Accepted);
            },
        });
        var calls = 0;
        await using var client = new MqttClient(harness.ClientOptions("c1") with
        {
            CredentialsProvider = _ => ValueTask.FromResult(new MqttCredentials("u", $"token-{Interlocked.Increment(ref calls)}")),
        });
        await client.ConnectAsync();

        await harness.Server.DisconnectClientAsync("c1");
        await Eventually.TrueAsync(() => seen.Count == 2 && client.IsConnected, "reconnect");

        Assert.Equal(["token-1", "token-2"], seen);
    }

    [Fact]
    public async Task PublishAsync_Qos1_CompletesOnlyAfterServerAcknowledges()
    {
        var release = new TaskCompletionSource<MqttPublishDisposition>(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = new InMemoryServer(new MqttServerOptions
        {
            InterceptPublishAsync = async (p, _) =>
            {
                received.TrySetResult(Encoding.UTF8.GetString(p.Payload.Span));
                return await release.Task;
            },
        });
        await using var client = new MqttClient(harness.ClientOptions("c1"));
        await client.ConnectAsync();

        var publish = client.PublishAsync("t/1", Hello, MqttQualityOfService.AtLeastOnce);
        Assert.Equal("hello", await received.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        await Task.Delay(100);
        Assert.False(publish.IsCompleted);
        Assert.Equal(1, client.InFlightCount);

        release.SetResult(MqttPublishDisposition.Acknowledge);
        await publish.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, client.InFlightCount);
    }

    [Fact]
    public async Task PublishAsync_ConnectionLostBeforePubAck_ResendsWithDupAfterReconnect()
    {
        var sightings = new ConcurrentQueue<(bool Dup, string Payload)>();
        await using var harness = new InMemoryServer(new MqttServerOptions
        {
            InterceptPublishAsync = (p, _) =>
            {
                sightings.Enqueue((p.Dup, Encoding.UTF8.GetString(p.Payload.Span)));
                // the first copy is "lost": close without PUBACK, as a crashing server would
                return ValueTask.FromResult(sightings.Count == 1 ? MqttPublishDisposition.Disconnect : MqttPublishDisposition.Acknowledge);
            },
        });
        var states = new ConcurrentQueue<MqttConnectionState>();
        await using var client = new MqttClient(harness.ClientOptions("c1"));
        client.ConnectionStateChanged += (_, e) => states.Enqueue(e.State);
        await client.ConnectAsync();

        await client.PublishAsync("t/1", Hello, MqttQualityOfService.AtLeastOnce).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([(false, "hello"), (true, "hello")], sightings);
        Assert.Equal(2, harness.Connections);
        Assert.Contains(MqttConnectionState.Disconnected, states);
        Assert.Equal(MqttConnectionState.Connected, states.Last());
    }

    [Fact]
    public async Task PublishAsync_MaxInFlightReached_FurtherPublishersWait()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0;
        await using var harness = new InMemoryServer(new MqttServerOptions
        {
            InterceptPublishAsync = async (_, _) =>
            {
                Interlocked.Increment(ref seen);
                await release.Task;
                return MqttPublishDisposition.Acknowledge;
            },
        });
        await using var client = new MqttClient(harness.ClientOptions("c1") with { MaxInFlight = 2 });
        await client.ConnectAsync();

        var publishes = Enumerable.Range(0, 5).Select(i => client.PublishAsync($"t/{i}", Hello, MqttQualityOfService.AtLeastOnce)).ToArray();
        await Eventually.TrueAsync(() => Volatile.Read(ref seen) == 1, "first publish at the server");
        await Task.Delay(100);

        Assert.Equal(2, client.InFlightCount);
        Assert.All(publishes, p => Assert.False(p.IsCompleted));
        release.SetResult();
        await Task.WhenAll(publishes).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(5, Volatile.Read(ref seen));
        Assert.Equal(0, client.InFlightCount);
    }

    [Fact]
    public async Task AcknowledgeAsync_InboundQos1_ServerWaitsForApplicationAck()
    {
        await using var harness = new InMemoryServer();
        await using var client = new MqttClient(harness.ClientOptions("c1"));
        await client.ConnectAsync();
        Assert.Equal(MqttSubAckReturnCode.GrantedQualityOfService1, await client.SubscribeAsync("in/#"));

        var delivery = harness.Server.PublishAsync("c1", new MqttApplicationMessage("in/1", Hello));
        var message = await Eventually.NextMessageAsync(client);
        await Task.Delay(100);
        Assert.False(delivery.IsCompleted);

        Assert.True(await client.AcknowledgeAsync(message));
        Assert.True(await delivery.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.False(await client.AcknowledgeAsync(message));
        Assert.Equal("in/1", message.Topic);
        Assert.Equal(MqttQualityOfService.AtLeastOnce, message.QualityOfService);
    }

    [Fact]
    public async Task AutoAcknowledge_InboundQos1_AcknowledgedWithoutApplication()
    {
        await using var harness = new InMemoryServer();
        await using var client = new MqttClient(harness.ClientOptions("c1") with { AutoAcknowledge = true });
        await client.ConnectAsync();
        await client.SubscribeAsync("in/#");

        Assert.True(await harness.Server.PublishAsync("c1", new MqttApplicationMessage("in/1", Hello)).WaitAsync(TimeSpan.FromSeconds(5)));
        var message = await Eventually.NextMessageAsync(client);
        Assert.False(await client.AcknowledgeAsync(message));
    }

    [Fact]
    public async Task PersistentSession_UnacknowledgedMessage_RedeliveredWithDupToNextConnection()
    {
        await using var harness = new InMemoryServer();
        var options = harness.ClientOptions("gw") with { CleanSession = false };
        var first = new MqttClient(options);
        await first.ConnectAsync();
        await first.SubscribeAsync("in/#");
        _ = harness.Server.PublishAsync("gw", new MqttApplicationMessage("in/1", Hello));
        var unacked = await Eventually.NextMessageAsync(first);
        Assert.False(unacked.Dup);

        // gone without DISCONNECT and without acknowledging
        await first.DisposeAsync();
        await Eventually.TrueAsync(() => harness.Server.ConnectedClientIds.Count == 0, "server noticed");
        await using var second = new MqttClient(options);
        var present = false;
        second.ConnectionStateChanged += (_, e) => present |= e.State == MqttConnectionState.Connected && e.SessionPresent;
        await second.ConnectAsync();
        var again = await Eventually.NextMessageAsync(second);

        Assert.True(present);
        Assert.True(again.Dup);
        Assert.Equal(unacked.PacketId, again.PacketId);
        Assert.Equal("hello", Encoding.UTF8.GetString(again.Payload.Span));
        Assert.True(await second.AcknowledgeAsync(again));
    }

    [Fact]
    public async Task Reconnect_CleanSession_RenewsSubscriptions()
    {
        await using var harness = new InMemoryServer();
        await using var client = new MqttClient(harness.ClientOptions("c1") with { AutoAcknowledge = true });
        await client.ConnectAsync();
        await client.SubscribeAsync("a/+", MqttQualityOfService.AtMostOnce);

        await harness.Server.DisconnectClientAsync("c1");
        await Eventually.TrueAsync(() => harness.Connections == 2 && client.IsConnected && harness.Server.ConnectedClientIds.Count == 1, "reconnected");
        var routed = await harness.Server.RouteAsync(new MqttApplicationMessage("a/b", Hello, MqttQualityOfService.AtMostOnce));
        var message = await Eventually.NextMessageAsync(client);

        Assert.Equal(1, routed);
        Assert.Equal("a/b", message.Topic);
    }

    [Fact]
    public async Task UnsubscribeAsync_Filter_NoLongerDelivered()
    {
        await using var harness = new InMemoryServer();
        await using var client = new MqttClient(harness.ClientOptions("c1"));
        await client.ConnectAsync();
        await client.SubscribeAsync("a/#", MqttQualityOfService.AtMostOnce);

        await client.UnsubscribeAsync(["a/#"]);

        Assert.Equal(0, await harness.Server.RouteAsync(new MqttApplicationMessage("a/b", Hello, MqttQualityOfService.AtMostOnce)));
    }

    [Fact]
    public async Task DisconnectAsync_PendingPublish_FailsWithClosed()
    {
        var never = new TaskCompletionSource<MqttPublishDisposition>();
        await using var harness = new InMemoryServer(new MqttServerOptions { InterceptPublishAsync = (_, _) => new ValueTask<MqttPublishDisposition>(never.Task) });
        await using var client = new MqttClient(harness.ClientOptions("c1"));
        await client.ConnectAsync();
        var publish = client.PublishAsync("t", Hello, MqttQualityOfService.AtLeastOnce);

        await client.DisconnectAsync();

        await Assert.ThrowsAsync<MqttClientClosedException>(() => publish);
        Assert.Equal(MqttConnectionState.Closed, client.State);
        await Assert.ThrowsAsync<MqttClientClosedException>(() => client.PublishAsync("t", Hello, MqttQualityOfService.AtMostOnce));
    }

    [Fact]
    public async Task PublishAsync_LargerThanMaxOutgoingPacketSize_RefusedBeforeSending()
    {
        var seen = 0;
        await using var harness = new InMemoryServer(new MqttServerOptions { InterceptPublishAsync = (_, _) => { Interlocked.Increment(ref seen); return ValueTask.FromResult(MqttPublishDisposition.Acknowledge); } });
        await using var client = new MqttClient(harness.ClientOptions("c1") with { MaxOutgoingPacketSize = 1024 });
        await client.ConnectAsync();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.PublishAsync("t", new byte[1024], MqttQualityOfService.AtLeastOnce));
        await client.PublishAsync("t", new byte[1000], MqttQualityOfService.AtLeastOnce);

        Assert.Contains("MaxOutgoingPacketSize", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, seen);
        Assert.Equal(0, client.InFlightCount);
    }

    [Fact]
    public void Options_InvalidSetting_NamesIt()
    {
        var options = new MqttClientOptions { ClientId = "c", ChannelFactory = new MqttChannelFactory(_ => throw new InvalidOperationException()), KeepAlive = TimeSpan.FromMilliseconds(1500) };

        var ex = Assert.Throws<ArgumentException>(() => new MqttClient(options));

        Assert.Contains("KeepAlive", ex.Message, StringComparison.Ordinal);
    }
}
