using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using RetailEdge.Testing;

namespace RetailEdge.Mqtt.Tests;

/// <summary>Our server against an independent client: the Node `mqtt` package, over real TCP on 127.0.0.1.</summary>
public class MqttServerNodeClientTests
{
    private const string BasicsScript = """
        const mqtt = require('mqtt');
        const c = mqtt.connect({ host: '127.0.0.1', port: Number(process.argv[2]), clientId: 'node-1', clean: true,
          keepalive: 3, protocolVersion: 4, username: 'user', password: 'secret', reconnectPeriod: 0 });
        c.on('connect', () => {
          c.subscribe('node/#', { qos: 1 }, (err, granted) => {
            if (err) { console.log('subscribe failed ' + err.message); process.exit(2); }
            console.log('subscribed ' + granted.map(g => g.qos).join(','));
            c.publish('node/self', 'loop', { qos: 1 }, e => console.log('puback ' + (e ? e.message : 'ok')));
            c.publish('node/zero', 'q0', { qos: 0 });
          });
        });
        c.on('message', (topic, payload, packet) => {
          console.log(`message ${topic} ${payload} qos=${packet.qos}`);
          if (payload.toString() === 'bye') { setTimeout(() => c.end(false, () => { console.log('ended'); process.exit(0); }), 200); }
        });
        c.on('close', () => console.log('close'));
        c.on('error', e => { console.log('error ' + e.message); process.exit(3); });
        """;

    private const string PersistentScript = """
        const mqtt = require('mqtt');
        const options = { host: '127.0.0.1', port: Number(process.argv[2]), clientId: 'node-p', clean: false,
          keepalive: 30, protocolVersion: 4, reconnectPeriod: 0 };
        const first = mqtt.connect(options);
        first.on('connect', () => first.subscribe('p/#', { qos: 1 }, () => first.end(false, () => {
          console.log('phase1 done');
          setTimeout(() => {
            const second = mqtt.connect(options);
            second.on('connect', ack => console.log('session present ' + ack.sessionPresent));
            second.on('message', (topic, payload, packet) => {
              console.log(`message ${topic} ${payload} qos=${packet.qos}`);
              second.end(false, () => process.exit(0));
            });
          }, 1500);
        })));
        """;

    [Fact]
    public async Task NodeClient_ConnectSubscribePublishKeepAlive_Works()
    {
        var intercepted = new ConcurrentQueue<string>();
        var credentials = new ConcurrentQueue<string>();
        await using var server = new MqttServer(new MqttServerOptions
        {
            Port = 0,
            AuthenticateAsync = (c, _) =>
            {
                credentials.Enqueue($"{c.ClientId}|{c.UserName}|{c.PasswordText}|{c.KeepAlive.TotalSeconds}");
                return ValueTask.FromResult(MqttConnectReturnCode.Accepted);
            },
            InterceptPublishAsync = (p, _) =>
            {
                intercepted.Enqueue($"{p.ClientId} {p.Topic} {Encoding.UTF8.GetString(p.Payload.Span)} qos={(int)p.QualityOfService}");
                return ValueTask.FromResult(MqttPublishDisposition.Route);
            },
        });
        await server.StartAsync();
        await using var node = NodeScript.Start(BasicsScript, server.Port.ToString(CultureInfo.InvariantCulture));

        await node.WaitForOutputAsync("subscribed 1", TimeSpan.FromSeconds(20));
        await node.WaitForOutputAsync("puback ok", TimeSpan.FromSeconds(10));
        await node.WaitForOutputAsync("message node/self loop qos=1", TimeSpan.FromSeconds(10));
        await node.WaitForOutputAsync("message node/zero q0 qos=0", TimeSpan.FromSeconds(10));
        Assert.True(await server.PublishAsync("node-1", new MqttApplicationMessage("node/cmd", Encoding.UTF8.GetBytes("from-server"))));
        await node.WaitForOutputAsync("message node/cmd from-server qos=1", TimeSpan.FromSeconds(10));
        // keep-alive 3 s: the server closes after 4.5 s of silence, so still being here after 6 s proves the pings.
        // (A 1 s keep-alive left only 0.5 s of slack for the Node event loop on a loaded CI machine.)
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.Contains("node-1", server.ConnectedClientIds);
        Assert.DoesNotContain("close", node.Output, StringComparison.Ordinal);
        Assert.True(await server.PublishAsync("node-1", new MqttApplicationMessage("node/cmd", Encoding.UTF8.GetBytes("bye"))));
        Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(["node-1|user|secret|3"], credentials);
        Assert.Contains("node-1 node/self loop qos=1", intercepted);
        Assert.Contains("node-1 node/zero q0 qos=0", intercepted);
    }

    [Fact]
    public async Task NodeClient_PersistentSession_GetsMessageQueuedWhileOffline()
    {
        await using var server = new MqttServer(new MqttServerOptions { Port = 0 });
        await server.StartAsync();
        await using var node = NodeScript.Start(PersistentScript, server.Port.ToString(CultureInfo.InvariantCulture));

        await node.WaitForOutputAsync("phase1 done", TimeSpan.FromSeconds(20));
        await Eventually.TrueAsync(() => server.ConnectedClientIds.Count == 0, "node offline");
        Assert.Equal(1, await server.RouteAsync(new MqttApplicationMessage("p/1", Encoding.UTF8.GetBytes("while-away"))));

        Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains("session present true", node.Output, StringComparison.Ordinal);
        Assert.Contains("message p/1 while-away qos=1", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeClient_BadPassword_GetsConnAckRefusal()
    {
        await using var server = new MqttServer(new MqttServerOptions
        {
            Port = 0,
            AuthenticateAsync = (c, _) => ValueTask.FromResult(c.PasswordText == "right" ? MqttConnectReturnCode.Accepted : MqttConnectReturnCode.NotAuthorized),
        });
        await server.StartAsync();

        var output = await NodeScript.RunAsync("""
            const mqtt = require('mqtt');
            const c = mqtt.connect({ host: '127.0.0.1', port: Number(process.argv[2]), clientId: 'intruder', username: 'u', password: 'wrong', protocolVersion: 4, reconnectPeriod: 0 });
            c.on('connect', () => { console.log('connected'); process.exit(1); });
            c.on('error', e => { console.log('refused code=' + e.code); process.exit(0); });
            """, TimeSpan.FromSeconds(20), server.Port.ToString(CultureInfo.InvariantCulture));

        Assert.Contains("refused code=5", output, StringComparison.Ordinal);
    }
}
