using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using RetailEdge.Testing;

namespace RetailEdge.IotHub.Tests;

/// <summary>The module client against a real mosquitto broker, with mosquitto_sub / mosquitto_pub as independent peers that show the exact wire topics.</summary>
public class MosquittoInteropTests
{
    private static IotHubModuleClientOptions Options(MosquittoBroker broker) => FakeIotHub.LoopbackOptions(broker.Port);

    [Fact]
    public async Task SendEventAsync_ToMosquitto_SubscriberSeesIotHubTelemetryTopic()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        // stdbuf: mosquitto_sub block-buffers stdout into a pipe; line buffering shows the SUBACK at once
        await using var subscriber = ManagedProcess.Start("stdbuf",
            ["-oL", MosquittoBroker.ClientTool("mosquitto_sub"), "-h", broker.Host, "-p", broker.Port.ToString(CultureInfo.InvariantCulture), "-t", "devices/#", "-v", "-d", "-C", "1"]);
        await subscriber.WaitForOutputAsync("SUBACK", TimeSpan.FromSeconds(10));
        await using var client = new IotHubModuleClient(Options(broker));
        await client.OpenAsync(CancellationToken.None);

        await client.SendEventAsync("output1", new IotHubMessage(Encoding.UTF8.GetBytes("{\"n\":1}"))
        {
            MessageId = "m 1",
            ContentType = "application/json",
            ContentEncoding = "utf-8",
            Properties = new Dictionary<string, string> { ["store"] = "017/a" },
        }, CancellationToken.None);

        Assert.Equal(0, await subscriber.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        await Task.Delay(50);
        Assert.Contains("devices/store017-gw/modules/StoreGateway/messages/events/%24.mid=m%201&%24.ct=application%2fjson&%24.ce=utf-8&%24.on=output1&store=017%2fa {\"n\":1}",
            subscriber.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InputHandler_MosquittoPubOnInputTopic_ReceivesMessageWithProperties()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var client = new IotHubModuleClient(Options(broker));
        var received = new ConcurrentQueue<IotHubInputMessage>();
        await client.SetInputMessageHandlerAsync("refdata", (m, _) => { received.Enqueue(m); return Task.FromResult(MessageResponse.Completed); }, CancellationToken.None);
        await client.OpenAsync(CancellationToken.None);

        await using var publisher = ManagedProcess.Start(MosquittoBroker.ClientTool("mosquitto_pub"),
            ["-h", broker.Host, "-p", broker.Port.ToString(CultureInfo.InvariantCulture), "-q", "1",
             "-t", "devices/store017-gw/modules/StoreGateway/inputs/refdata/%24.mid=r-9&%24.ct=application%2Fjson&kind=prices", "-m", "[1,2]"]);
        Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(10)));

        await Wait.UntilAsync(() => !received.IsEmpty, "the input message from mosquitto_pub");
        var message = Assert.Single(received);
        Assert.Equal("refdata", message.InputName);
        Assert.Equal("r-9", message.Message.MessageId);
        Assert.Equal("application/json", message.Message.ContentType);
        Assert.Equal("prices", message.Message.Properties["kind"]);
        Assert.Equal("[1,2]", Encoding.UTF8.GetString(message.Message.Body.Span));
    }
}
