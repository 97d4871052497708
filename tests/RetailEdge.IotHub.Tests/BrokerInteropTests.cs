using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using RetailEdge.Testing;

namespace RetailEdge.IotHub.Tests;

/// <summary>
/// The module client's MQTT guarantees against independent brokers (mosquitto 2.0 and Node's
/// aedes) over real TCP on 127.0.0.1: an input left unacknowledged is redelivered to the next
/// connection of the persistent session, and an idle client's keep-alive keeps it connected.
/// </summary>
public abstract class BrokerInteropTests : IAsyncLifetime
{
    protected abstract int Port { get; }

    /// <summary>mosquitto marks a redelivery with DUP; aedes 1.x redelivers without it.</summary>
    protected abstract bool BrokerSetsDup { get; }

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    protected IotHubModuleClientOptions Options() => FakeIotHub.LoopbackOptions(Port);

    /// <summary>Publishes one QoS 1 message to the module's input as another client of the broker.</summary>
    protected async Task PublishInputAsync(string inputName, string messageId, string body)
    {
        using var peer = new MqttClientFactory().CreateMqttClient();
        var connected = await peer.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", Port).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311).WithClientId("peer-" + messageId).Build());
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
        await peer.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(IotHubTopics.Input("store017-gw", "StoreGateway", inputName, PropertyBag.Encode(new Dictionary<string, string> { ["$.mid"] = messageId })))
            .WithPayload(body)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        await peer.DisconnectAsync();
    }

    [Fact]
    public async Task Input_AbandonedThenReopened_BrokerRedeliversToThePersistentSessionUntilCompleted()
    {
        await using var client = new IotHubModuleClient(Options());
        var received = new ConcurrentQueue<IotHubInputMessage>();
        await client.SetInputMessageHandlerAsync("orders", (m, _) =>
        {
            received.Enqueue(m);
            // the first delivery is not durably handled: no PUBACK
            return Task.FromResult(received.Count == 1 ? MessageResponse.Abandoned : MessageResponse.Completed);
        }, CancellationToken.None);
        await client.OpenAsync(CancellationToken.None);
        await PublishInputAsync("orders", "o-1", "first");
        await Wait.UntilAsync(() => received.Count == 1, "the first delivery");

        await client.CloseAsync(CancellationToken.None);
        await client.OpenAsync(CancellationToken.None);

        await Wait.UntilAsync(() => received.Count == 2, "the redelivery to the next connection");
        Assert.Equal("o-1", received.Last().Message.MessageId);
        Assert.Equal("first", Encoding.UTF8.GetString(received.Last().Message.Body.Span));
        if (BrokerSetsDup)
        {
            Assert.True(received.Last().IsRedelivery);
        }
        // completed now: a third connection gets nothing more
        await client.CloseAsync(CancellationToken.None);
        await client.OpenAsync(CancellationToken.None);
        await PublishInputAsync("orders", "o-2", "second");
        await Wait.UntilAsync(() => received.Count == 3, "the next message");
        Assert.Equal("o-2", received.Last().Message.MessageId);
    }

    [Fact]
    public async Task KeepAlive_IdlePastThreeKeepAlives_StaysConnectedAndSends()
    {
        await using var client = new IotHubModuleClient(Options() with { KeepAlive = TimeSpan.FromSeconds(2) });
        var statuses = new ConcurrentQueue<IotHubConnectionStatus>();
        client.ConnectionStatusChanged += (_, e) => statuses.Enqueue(e.Status);
        var received = new ConcurrentQueue<IotHubInputMessage>();
        await client.SetInputMessageHandlerAsync("ping", (m, _) => { received.Enqueue(m); return Task.FromResult(MessageResponse.Completed); }, CancellationToken.None);
        await client.OpenAsync(CancellationToken.None);

        // both brokers close a connection silent for 1.5 keep-alives; only PINGREQs keep this one. Two seconds
        // rather than one: a loaded machine may delay a PINGREQ by more than the half keep-alive of slack.
        await Task.Delay(TimeSpan.FromSeconds(7));
        await PublishInputAsync("ping", "p-1", "still here");

        await Wait.UntilAsync(() => received.Count == 1, "the message after the idle time");
        Assert.Equal(IotHubConnectionStatus.Connected, client.Status);
        Assert.DoesNotContain(IotHubConnectionStatus.Reconnecting, statuses);
    }
}

/// <summary><see cref="BrokerInteropTests"/> against mosquitto, plus a broker restart.</summary>
public sealed class MosquittoBrokerInteropTests : BrokerInteropTests
{
    private MosquittoBroker? _broker;

    protected override int Port => _broker!.Port;

    protected override bool BrokerSetsDup => true;

    public override async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public override async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    [Fact]
    public async Task BrokerRestart_ClientReconnectsResubscribesAndSendsTelemetryQueuedDuringTheOutage()
    {
        await using var client = new IotHubModuleClient(Options());
        var statuses = new ConcurrentQueue<IotHubConnectionStatus>();
        client.ConnectionStatusChanged += (_, e) => statuses.Enqueue(e.Status);
        var received = new ConcurrentQueue<IotHubInputMessage>();
        await client.SetInputMessageHandlerAsync("after", (m, _) => { received.Enqueue(m); return Task.FromResult(MessageResponse.Completed); }, CancellationToken.None);
        await client.OpenAsync(CancellationToken.None);

        await _broker!.StopAsync();
        await Wait.UntilAsync(() => client.Status == IotHubConnectionStatus.Reconnecting, "the loss noticed");
        // sent while the broker is down: waits, and goes out after the reconnect
        var pending = client.SendEventAsync(new IotHubMessage(Encoding.UTF8.GetBytes("queued")) { MessageId = "during" }, CancellationToken.None);
        await _broker.RestartAsync();
        await using var subscriber = ManagedProcess.Start("stdbuf",
            ["-oL", MosquittoBroker.ClientTool("mosquitto_sub"), "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-t", "devices/#", "-v", "-C", "1", "-W", "30"]);

        await pending.WaitAsync(TimeSpan.FromSeconds(30));
        await Wait.UntilAsync(() => client.Status == IotHubConnectionStatus.Connected, "connected again", 30);
        // mosquitto ran without persistence: only a renewed subscription delivers this
        await PublishInputAsync("after", "a-1", "renewed");
        await Wait.UntilAsync(() => received.Count == 1, "the input through the renewed subscription", 30);
        Assert.Contains(IotHubConnectionStatus.Reconnecting, statuses);
    }
}

/// <summary><see cref="BrokerInteropTests"/> against Node's aedes broker.</summary>
public sealed class AedesBrokerInteropTests : BrokerInteropTests
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

    protected override int Port => _port;

    protected override bool BrokerSetsDup => false;

    public override async Task InitializeAsync()
    {
        _broker = NodeScript.Start(BrokerScript, _port.ToString(CultureInfo.InvariantCulture));
        await _broker.WaitForOutputAsync("listening", TimeSpan.FromSeconds(20));
    }

    public override async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}
