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

    public static async Task<StoreBrokerPublisher> ConnectAsync(MosquittoBroker broker, string clientId, string? userName = null, string? password = null)
    {
        var publisher = new StoreBrokerPublisher();
        var result = await publisher.TryConnectAsync(broker, clientId, userName, password);
        Assert.Equal(MqttClientConnectResultCode.Success, result);
        return publisher;
    }

    /// <summary>Connects once and returns the broker's answer (a refusal is not an exception).</summary>
    public static async Task<MqttClientConnectResultCode> ConnectResultAsync(MosquittoBroker broker, string clientId)
    {
        using var publisher = new StoreBrokerPublisher();
        return await publisher.TryConnectAsync(broker, clientId, userName: null, password: null);
    }

    private async Task<MqttClientConnectResultCode> TryConnectAsync(MosquittoBroker broker, string clientId, string? userName, string? password)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(clientId);
        if (userName is not null)
        {
            builder = builder.WithCredentials(userName, password);
        }
        var result = await _client.ConnectAsync(builder.Build());
        return result.ResultCode;
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
