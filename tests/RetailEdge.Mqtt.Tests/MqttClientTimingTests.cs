using System.Collections.Concurrent;
using System.Net.Sockets;

namespace RetailEdge.Mqtt.Tests;

/// <summary>Keep-alive and back-off timing, on a fake clock: exact and fast.</summary>
public class MqttClientTimingTests
{
    [Fact]
    public async Task KeepAlive_IdleHalfKeepAlive_SendsPingReqAndReconnectsWhenUnanswered()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var servers = new ConcurrentQueue<ScriptedServer>();
        var factory = new MqttChannelFactory(_ =>
        {
            var (client, server) = MqttInMemoryChannel.CreatePair();
            servers.Enqueue(new ScriptedServer(server));
            return ValueTask.FromResult<IMqttChannel>(client);
        });
        await using var client = new MqttClient(new MqttClientOptions
        {
            ClientId = "ka",
            ChannelFactory = factory,
            KeepAlive = TimeSpan.FromSeconds(60),
            TimeProvider = time,
            ReconnectMinDelay = TimeSpan.FromSeconds(1),
            ReconnectJitter = 0,
        });
        var connecting = client.ConnectAsync();
        await Eventually.TrueAsync(() => !servers.IsEmpty, "channel opened");
        var first = servers.First();
        Assert.IsType<MqttConnectPacket>(await first.NextAsync());
        await first.SendAsync(new MqttConnAckPacket());
        await connecting;

        await AdvanceAsync(time, TimeSpan.FromSeconds(29));
        Assert.False(first.HasPacket);
        await AdvanceAsync(time, TimeSpan.FromSeconds(2));
        Assert.IsType<MqttPingReqPacket>(await first.NextAsync());

        // no PINGRESP: after one more keep-alive the client gives up on this connection
        await AdvanceAsync(time, TimeSpan.FromSeconds(59));
        Assert.True(client.IsConnected);
        await AdvanceAsync(time, TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => !client.IsConnected, "connection declared dead");
        await AdvanceAsync(time, TimeSpan.FromSeconds(1.5));
        await Eventually.TrueAsync(() => servers.Count == 2, "reconnect");
        Assert.IsType<MqttConnectPacket>(await servers.Last().NextAsync());
    }

    [Fact]
    public async Task Reconnect_ServerUnreachable_BacksOffExponentiallyWithJitterUpToMax()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var attempts = new ConcurrentQueue<double>();
        var reachable = true;
        ScriptedServer? server = null;
        var factory = new MqttChannelFactory(_ =>
        {
            attempts.Enqueue((time.GetUtcNow() - DateTimeOffset.UnixEpoch).TotalSeconds);
            if (!Volatile.Read(ref reachable))
            {
                throw new SocketException((int)SocketError.ConnectionRefused);
            }
            var (client, end) = MqttInMemoryChannel.CreatePair();
            server = new ScriptedServer(end);
            return ValueTask.FromResult<IMqttChannel>(client);
        });
        await using var client = new MqttClient(new MqttClientOptions
        {
            ClientId = "backoff",
            ChannelFactory = factory,
            KeepAlive = TimeSpan.Zero,
            TimeProvider = time,
            ReconnectMinDelay = TimeSpan.FromSeconds(1),
            ReconnectMaxDelay = TimeSpan.FromSeconds(16),
            ReconnectJitter = 0.2,
            RandomSeed = 5,
        });
        var connecting = client.ConnectAsync();
        await Eventually.TrueAsync(() => server is not null, "channel opened");
        Assert.IsType<MqttConnectPacket>(await server!.NextAsync());
        await server.SendAsync(new MqttConnAckPacket());
        await connecting;

        Volatile.Write(ref reachable, false);
        await server.DisposeAsync();
        await Eventually.TrueAsync(() => !client.IsConnected, "loss noticed");
        for (var attempt = 2; attempt <= 9; attempt++)
        {
            // jump straight to the back-off timer, so each gap is exactly the chosen delay
            await Eventually.TrueAsync(() => time.NextDueIn is not null, "back-off timer armed");
            time.Advance(time.NextDueIn!.Value);
            await Eventually.TrueAsync(() => attempts.Count == attempt, $"attempt {attempt}");
        }

        var times = attempts.ToArray();
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToArray();
        // 1, 2, 4, 8, 16, 16 … seconds, each within ±20 %, never above the maximum
        double[] expected = [1, 2, 4, 8, 16, 16, 16, 16];
        Assert.Equal(expected.Length, gaps.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.InRange(gaps[i], expected[i] * 0.8, Math.Min(expected[i] * 1.2, 16));
        }
        // the jitter is there: not every gap is a whole number of seconds
        Assert.Contains(gaps, g => Math.Abs(g - Math.Round(g)) > 0.01);
    }

    private static async Task AdvanceAsync(ManualTimeProvider time, TimeSpan by)
    {
        // let continuations of the previous step run before the clock moves again
        await Task.Delay(5);
        time.Advance(by);
        await Task.Delay(5);
    }
}
