namespace RetailEdge.Mqtt;

/// <summary>SUBACK return codes (spec 3.9.3): the granted QoS or failure.</summary>
public enum MqttSubAckReturnCode : byte
{
    GrantedQualityOfService0 = 0x00,
    GrantedQualityOfService1 = 0x01,
    GrantedQualityOfService2 = 0x02,
    Failure = 0x80,
}
