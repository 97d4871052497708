using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Tests;

/// <summary>A POS lane or scale publishing to the store broker: an MQTTnet client, QoS 1, completes on the broker's PUBACK.</summary>
internal sealed class StoreBrokerPublisher : IDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    private StoreBrokerPublisher()
    {
    }

    public static async Task<StoreBrokerPublisher> ConnectAsync(MosquittoBroker broker, string clientId)
    {
        var publisher = new StoreBrokerPublisher();
        var result = await publisher._client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(clientId)
            .Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return publisher;
    }

    public async Task PublishAsync(string topic, byte[] payload)
    {
        var result = await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        Assert.True(result.IsSuccess, result.ReasonString);
    }

    public void Dispose() => _client.Dispose();
}
