namespace RetailEdge.Mqtt;

/// <summary>Delivery guarantee (spec 4.3). RetailEdge sends and accepts 0 and 1 only; 2 is decoded so it can be refused.</summary>
public enum MqttQualityOfService : byte
{
    AtMostOnce = 0,
    AtLeastOnce = 1,
    ExactlyOnce = 2,
}
