namespace RetailEdge.Mqtt;

/// <summary>One requested subscription as the server's authorisation hook sees it.</summary>
public sealed class MqttServerSubscribeContext(string clientId, MqttSubscription subscription)
{
    public string ClientId { get; } = clientId;

    public string TopicFilter { get; } = subscription.TopicFilter;

    public MqttQualityOfService RequestedQualityOfService { get; } = subscription.QualityOfService;
}
