namespace RetailEdge.Mqtt;

/// <summary>An inbound PUBLISH as the server's application hook sees it.</summary>
public sealed class MqttServerPublishContext(string clientId, MqttPublishPacket publish)
{
    /// <summary>The publishing client.</summary>
    public string ClientId { get; } = clientId;

    public string Topic { get; } = publish.Topic;

    public ReadOnlyMemory<byte> Payload { get; } = publish.Payload;

    public MqttQualityOfService QualityOfService { get; } = publish.QualityOfService;

    public bool Retain { get; } = publish.Retain;

    public bool Dup { get; } = publish.Dup;

    public MqttApplicationMessage ToMessage() => new(Topic, Payload, QualityOfService, Retain);
}
