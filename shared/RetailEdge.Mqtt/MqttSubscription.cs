namespace RetailEdge.Mqtt;

/// <summary>A topic filter with the maximum QoS the subscriber wants for it.</summary>
public sealed record MqttSubscription(string TopicFilter, MqttQualityOfService QualityOfService = MqttQualityOfService.AtLeastOnce)
{
    public override string ToString() => $"{TopicFilter}@{(int)QualityOfService}";
}
