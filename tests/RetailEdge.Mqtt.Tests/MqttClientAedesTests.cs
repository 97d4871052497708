using System.Globalization;
using System.Text;
using RetailEdge.Testing;

namespace RetailEdge.Mqtt.Tests;

/// <summary>Our client against an independent broker: `aedes` on Node, over real TCP on 127.0.0.1.</summary>
public sealed class MqttClientAedesTests : IAsyncLifetime
{
    private const string BrokerScript = """
        const { Aedes } = require('aedes');
        (async () => {
          const broker = await Aedes.createBroker();
          const server = require('net').createServer(broker.handle);
          server.listen(Number(process.argv[2]), '127.0.0.1', () => console.log('listening'));
        })();
        """;

    private readonly int _port = FreePort.Next();
    private ManagedProcess? _broker;

    public async Task InitializeAsync()
    {
        _broker = NodeScript.Start(BrokerScript, _port.ToString(CultureInfo.InvariantCulture));
        await _broker.WaitForOutputAsync("listening", TimeSpan.FromSeconds(20));
    }

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    [Fact]
    public async Task PublishSubscribe_Qos0AndQos1_Delivered()
    {
        await using var subscriber = new MqttClient(Options("sub"));
        await using var publisher = new MqttClient(Options("pub"));
        await subscriber.ConnectAsync();
        await publisher.ConnectAsync();
        Assert.Equal(MqttSubAckReturnCode.GrantedQualityOfService1, await subscriber.SubscribeAsync("a/+/c"));

        await publisher.PublishAsync("a/b/c", Encoding.UTF8.GetBytes("one"), MqttQualityOfService.AtLeastOnce);
        await publisher.PublishAsync("a/b/x", Encoding.UTF8.GetBytes("filtered"), MqttQualityOfService.AtLeastOnce);
        await publisher.PublishAsync("a/d/c", Encoding.UTF8.GetBytes("two"), MqttQualityOfService.AtMostOnce);

        var first = await Eventually.NextMessageAsync(subscriber);
        var second = await Eventually.NextMessageAsync(subscriber);
        Assert.True(await subscriber.AcknowledgeAsync(first));
        Assert.Equal(("a/b/c", "one", MqttQualityOfService.AtLeastOnce), (first.Topic, Encoding.UTF8.GetString(first.Payload.Span), first.QualityOfService));
        Assert.Equal(("a/d/c", "two", MqttQualityOfService.AtMostOnce), (second.Topic, Encoding.UTF8.GetString(second.Payload.Span), second.QualityOfService));
    }

    [Fact]
    public async Task PersistentSession_DroppedBeforeAcknowledging_Redelivered()
    {
        var first = new MqttClient(Options("aedes-persist") with { CleanSession = false });
        await first.ConnectAsync();
        await first.SubscribeAsync("p/#");
        await using var publisher = new MqttClient(Options("pub"));
        await publisher.ConnectAsync();
        await publisher.PublishAsync("p/1", Encoding.UTF8.GetBytes("unacked"), MqttQualityOfService.AtLeastOnce);
        Assert.Equal("p/1", (await Eventually.NextMessageAsync(first)).Topic);

        await first.DisposeAsync();
        await using var second = new MqttClient(Options("aedes-persist") with { CleanSession = false });
        await second.ConnectAsync();
        var again = await Eventually.NextMessageAsync(second);

        // aedes 1.x redelivers without setting DUP (mosquitto sets it; see the mosquitto test), so only the content is checked
        Assert.Equal("unacked", Encoding.UTF8.GetString(again.Payload.Span));
        Assert.Equal(MqttQualityOfService.AtLeastOnce, again.QualityOfService);
        Assert.True(await second.AcknowledgeAsync(again));
    }

    [Fact]
    public async Task KeepAlive_IdlePastTwoKeepAlives_StaysConnected()
    {
        var lost = 0;
        await using var client = new MqttClient(Options("idle") with { KeepAlive = TimeSpan.FromSeconds(2), AutoAcknowledge = true });
        client.ConnectionStateChanged += (_, e) =>
        {
            if (e.State == MqttConnectionState.Disconnected)
            {
                Interlocked.Increment(ref lost);
            }
        };
        await client.ConnectAsync();
        await client.SubscribeAsync("self");

        // aedes closes after 1.5 keep-alives (3 s) of silence; 5 s idle proves the pings with slack for a loaded machine
        await Task.Delay(TimeSpan.FromSeconds(5));
        await client.PublishAsync("self", Encoding.UTF8.GetBytes("x"), MqttQualityOfService.AtLeastOnce);

        Assert.Equal("self", (await Eventually.NextMessageAsync(client)).Topic);
        Assert.Equal(0, Volatile.Read(ref lost));
    }

    private MqttClientOptions Options(string clientId) => new()
    {
        ClientId = clientId,
        ChannelFactory = new MqttTcpChannelFactory(new MqttTcpChannelOptions { Host = "127.0.0.1", Port = _port, UseTls = false, ConnectTimeout = TimeSpan.FromSeconds(5) }),
        KeepAlive = TimeSpan.FromSeconds(10),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
        ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        RandomSeed = 3,
    };
}
