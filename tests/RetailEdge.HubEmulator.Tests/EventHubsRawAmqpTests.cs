using System.Text.Json.Nodes;
using RetailEdge.Testing;

namespace RetailEdge.HubEmulator.Tests;

/// <summary>
/// The built-in endpoint's input checks seen from a plain AMQP 1.0 client (rhea), which sends
/// what the Event Hubs SDKs never would: a receiver before any token, a filter that is not a
/// position, an unknown partition, a sender to the event hub.
/// </summary>
public class EventHubsRawAmqpTests
{
    private const string Script = """
        const rhea = require('rhea');
        const [port, token, hub] = process.argv.slice(2);
        const container = rhea.create_container();
        const results = {};
        const conn = container.connect({ host: '127.0.0.1', port: Number(port), reconnect: false });
        const partition = (name, filter) => new Promise(resolve => {
          const receiver = conn.open_receiver({ name, source: { address: hub + '/ConsumerGroups/$Default/Partitions/' + (name === 'unknown' ? '9' : '0'),
            filter: filter ? rhea.filter.selector(filter) : undefined }, credit_window: 10 });
          receiver.on('message', ctx => { resolve({ body: String(ctx.message.body && ctx.message.body.content || ctx.message.body) }); receiver.close(); });
          receiver.on('receiver_error', ctx => resolve({ condition: ctx.receiver.error && ctx.receiver.error.condition, description: ctx.receiver.error && ctx.receiver.error.description }));
        });
        const sendToHub = () => new Promise(resolve => {
          const sender = conn.open_sender({ name: 'producer', target: { address: hub } });
          sender.on('sender_error', ctx => resolve({ condition: ctx.sender.error && ctx.sender.error.condition }));
          sender.on('sendable', () => resolve({ condition: 'opened' }));
        });
        const putToken = () => new Promise(resolve => {
          const reply = conn.open_receiver({ name: 'cbs-reply', source: { address: '$cbs' }, target: { address: 'cbs-reply' } });
          const request = conn.open_sender({ name: 'cbs-request', target: { address: '$cbs' } });
          reply.on('message', ctx => resolve(ctx.message.application_properties['status-code']));
          request.once('sendable', () => request.send({ message_id: 'put-1', reply_to: 'cbs-reply', body: token,
            application_properties: { operation: 'put-token', type: 'servicebus.windows.net:sastoken', name: 'amqp://127.0.0.1/' + hub } }));
        });
        (async () => {
          results.beforeToken = await partition('before-token', null);
          results.putToken = await putToken();
          results.badFilter = await partition('bad-filter', "amqp.annotation.x-opt-offset > 'abc'");
          results.otherFilter = await partition('other-filter', "amqp.annotation.x-opt-partition-key > 1");
          results.unknown = await partition('unknown', null);
          results.producer = await sendToHub();
          results.goodFilter = await partition('good-filter', "amqp.annotation.x-opt-sequence-number >= 1");
          console.log(JSON.stringify(results));
          conn.close();
        })().catch(e => { console.error(String(e)); process.exit(1); });
        """;

    [Fact]
    public async Task RawClient_TokenlessBadFilterUnknownPartitionAndSenderRefusedWithReasons_GoodFilterReads()
    {
        await using var hub = await EmulatorHarness.StartAsync(configure: o => o with { PartitionCount = 1 });
        await using var module = await EventHubsEndpointTests.OpenModuleAsync(hub, "store200-gw", "StoreGateway");
        await EventHubsEndpointTests.SendAsync(module, "store200-gw", 0, 3);
        var endpoint = hub.Emulator.EventHubsEndPoint;
        var token = EventHubsEndpointTests.EventHubsSas("amqp://127.0.0.1/testhub", "service", hub.Emulator.Registry.ServicePolicy.PrimaryKey, DateTimeOffset.UtcNow.AddMinutes(10));

        var output = await NodeScript.RunAsync(Script, TimeSpan.FromSeconds(60), endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), token, "testhub");
        var results = JsonNode.Parse(output.Split('\n').Last(l => l.StartsWith('{')))!.AsObject();

        Assert.Equal("amqp:unauthorized-access", results["beforeToken"]!["condition"]!.GetValue<string>());
        Assert.Equal(202, results["putToken"]!.GetValue<int>());
        Assert.True("amqp:invalid-field" == results["badFilter"]!["condition"]!.GetValue<string>(), results.ToJsonString());
        Assert.Contains("not a whole number", results["badFilter"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("amqp:invalid-field", results["otherFilter"]!["condition"]!.GetValue<string>());
        Assert.Equal("amqp:not-found", results["unknown"]!["condition"]!.GetValue<string>());
        Assert.Equal("amqp:not-allowed", results["producer"]!["condition"]!.GetValue<string>());
        Assert.Contains("\"seq\":1", results["goodFilter"]!["body"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(hub.Emulator.EventHubs.LinksRefused >= 5);
    }
}
