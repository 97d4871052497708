using System.Collections.Concurrent;
using System.Text;
using RetailEdge.Testing;

namespace RetailEdge.Mqtt.Tests;

/// <summary>Our client against a real mosquitto on 127.0.0.1.</summary>
public class MqttClientMosquittoTests
{
    [Fact]
    public async Task PublishSubscribe_Qos0AndQos1_Delivered()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var subscriber = new MqttClient(Options(broker, "sub"));
        await using var publisher = new MqttClient(Options(broker, "pub"));
        await subscriber.ConnectAsync();
        await publisher.ConnectAsync();
        Assert.Equal(MqttSubAckReturnCode.GrantedQualityOfService1, await subscriber.SubscribeAsync("t/#"));

        for (var i = 0; i < 20; i++)
        {
            await publisher.PublishAsync($"t/{i}", Encoding.UTF8.GetBytes($"m{i}"), i % 4 == 0 ? MqttQualityOfService.AtMostOnce : MqttQualityOfService.AtLeastOnce);
        }
        var received = new List<MqttReceivedMessage>();
        for (var i = 0; i < 20; i++)
        {
            var message = await Eventually.NextMessageAsync(subscriber);
            await subscriber.AcknowledgeAsync(message);
            received.Add(message);
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"m{i}"), received.Select(m => Encoding.UTF8.GetString(m.Payload.Span)));
        Assert.Equal(5, received.Count(m => m.QualityOfService == MqttQualityOfService.AtMostOnce));
        Assert.Equal(15, received.Count(m => m.QualityOfService == MqttQualityOfService.AtLeastOnce));
    }

    [Fact]
    public async Task Subscribe_MessageFromMosquittoPub_Received()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var subscriber = new MqttClient(Options(broker, "sub") with { AutoAcknowledge = true });
        await subscriber.ConnectAsync();
        await subscriber.SubscribeAsync("tool/+");

        await using (var tool = ManagedProcess.Start(MosquittoBroker.ClientTool("mosquitto_pub"),
            ["-h", broker.Host, "-p", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-q", "1", "-t", "tool/x", "-m", "from the command line"]))
        {
            Assert.Equal(0, await tool.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        }

        var message = await Eventually.NextMessageAsync(subscriber);
        Assert.Equal("tool/x", message.Topic);
        Assert.Equal("from the command line", Encoding.UTF8.GetString(message.Payload.Span));
    }

    [Fact]
    public async Task PersistentSession_KilledBeforeAcknowledging_Redelivered()
    {
        // mosquitto flushes a log file line by line (its stdout is buffered when piped)
        var log = Path.Combine(Path.GetTempPath(), $"retailedge-mosquitto-{Guid.NewGuid():N}.log");
        await using var broker = await MosquittoBroker.StartAsync($"log_dest file {log}");
        var id = "persist-" + Guid.NewGuid().ToString("N")[..8];
        var first = new MqttClient(Options(broker, id) with { CleanSession = false });
        await first.ConnectAsync();
        await first.SubscribeAsync("p/#");
        await using var publisher = new MqttClient(Options(broker, "pub"));
        await publisher.ConnectAsync();
        for (var i = 0; i < 3; i++)
        {
            await publisher.PublishAsync("p/x", Encoding.UTF8.GetBytes($"unacked {i}"), MqttQualityOfService.AtLeastOnce);
        }
        for (var i = 0; i < 3; i++)
        {
            Assert.False((await Eventually.NextMessageAsync(first)).Dup);
        }

        // the socket goes without DISCONNECT and nothing was acknowledged: as if the process died
        await first.DisposeAsync();
        // as after a crash, the broker notices the dead socket before the process comes back
        // (connecting while it still holds the old connection would be a session takeover instead)
        // (mosquitto logs "closed its connection" for a socket closed without DISCONNECT)
        await Eventually.TrueAsync(() => ReadShared(log).Contains($"Client {id} closed its connection", StringComparison.Ordinal), "broker noticed the dropped connection");
        await using var second = new MqttClient(Options(broker, id) with { CleanSession = false });
        var sessionPresent = false;
        second.ConnectionStateChanged += (_, e) => sessionPresent |= e.SessionPresent;
        await second.ConnectAsync();
        var again = new List<MqttReceivedMessage>();
        for (var i = 0; i < 3; i++)
        {
            var message = await Eventually.NextMessageAsync(second);
            again.Add(message);
            Assert.True(await second.AcknowledgeAsync(message));
        }
        await second.DisconnectAsync();

        Assert.True(sessionPresent);
        Assert.All(again, m => Assert.True(m.Dup));
        Assert.Equal(["unacked 0", "unacked 1", "unacked 2"], again.Select(m => Encoding.UTF8.GetString(m.Payload.Span)));
        // acknowledged now: a third connection gets nothing more. Wait until the broker has read the
        // DISCONNECT (and so the PUBACKs before it): a CONNECT for the same id processed first would be a
        // session takeover that discards the old socket's unread bytes.
        await Eventually.TrueAsync(() => ReadShared(log).Contains($"Client {id} disconnected", StringComparison.Ordinal), "broker read the DISCONNECT");
        await using var third = new MqttClient(Options(broker, id) with { CleanSession = false });
        await third.ConnectAsync();
        await Task.Delay(300);
        Assert.False(third.Messages.TryRead(out var extra), $"unexpected {extra}\n{ReadShared(log)}");
        File.Delete(log);
    }

    [Fact]
    public async Task KeepAlive_IdleForTwoAndAHalfKeepAlives_StaysConnected()
    {
        var log = Path.Combine(Path.GetTempPath(), $"retailedge-mosquitto-{Guid.NewGuid():N}.log");
        await using var broker = await MosquittoBroker.StartAsync($"log_dest file {log}");
        var states = new ConcurrentQueue<MqttConnectionState>();
        await using var client = new MqttClient(Options(broker, "idle") with { KeepAlive = TimeSpan.FromSeconds(2), AutoAcknowledge = true });
        client.ConnectionStateChanged += (_, e) => states.Enqueue(e.State);
        await client.ConnectAsync();
        await client.SubscribeAsync("self");

        // mosquitto drops a client after 1.5 keep-alives (3 s) of silence; 5 s idle proves the pings with slack for a loaded machine
        await Task.Delay(TimeSpan.FromSeconds(5));

        Assert.True(client.IsConnected);
        Assert.Equal([MqttConnectionState.Connecting, MqttConnectionState.Connected], states);
        var brokerLog = ReadShared(log);
        Assert.Contains("as idle (p2, c1, k2)", brokerLog, StringComparison.Ordinal);
        Assert.DoesNotContain("exceeded timeout", brokerLog, StringComparison.Ordinal);
        File.Delete(log);
        await client.PublishAsync("self", Encoding.UTF8.GetBytes("still alive"), MqttQualityOfService.AtLeastOnce);
        Assert.Equal("self", (await Eventually.NextMessageAsync(client)).Topic);
    }

    [Fact]
    public async Task BrokerRestart_ClientReconnectsResubscribesAndDeliversPendingPublish()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var connects = 0;
        await using var client = new MqttClient(Options(broker, "restart") with { AutoAcknowledge = true });
        client.ConnectionStateChanged += (_, e) =>
        {
            if (e.State == MqttConnectionState.Connected)
            {
                Interlocked.Increment(ref connects);
            }
        };
        await client.ConnectAsync();
        await client.SubscribeAsync("r/#");

        await broker.StopAsync();
        await Eventually.TrueAsync(() => !client.IsConnected, "loss noticed");
        // published while the broker is down: waits in flight, goes out after the reconnect
        var pending = client.PublishAsync("r/during", Encoding.UTF8.GetBytes("queued"), MqttQualityOfService.AtLeastOnce);
        await broker.RestartAsync();

        await pending.WaitAsync(TimeSpan.FromSeconds(15));
        // mosquitto ran without persistence: only the renewed subscription can deliver this
        var message = await Eventually.NextMessageAsync(client, TimeSpan.FromSeconds(15));
        Assert.Equal("r/during", message.Topic);
        Assert.True(Volatile.Read(ref connects) >= 2);
    }

    private static string ReadShared(string path)
    {
        if (!File.Exists(path))
        {
            return string.Empty;
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    internal static MqttClientOptions Options(MosquittoBroker broker, string clientId) => new()
    {
        ClientId = clientId,
        ChannelFactory = new MqttTcpChannelFactory(new MqttTcpChannelOptions { Host = broker.Host, Port = broker.Port, UseTls = false, ConnectTimeout = TimeSpan.FromSeconds(5) }),
        KeepAlive = TimeSpan.FromSeconds(10),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
        ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        RandomSeed = 7,
    };
}
