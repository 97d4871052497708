namespace RetailEdge.Mqtt;

/// <summary>A message to publish: topic name, payload, QoS (0 or 1) and the retain flag.</summary>
public sealed record MqttApplicationMessage(
    string Topic,
    ReadOnlyMemory<byte> Payload,
    MqttQualityOfService QualityOfService = MqttQualityOfService.AtLeastOnce,
    bool Retain = false);
