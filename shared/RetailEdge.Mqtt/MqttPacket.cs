namespace RetailEdge.Mqtt;

/// <summary>One MQTT 3.1.1 control packet. Encode with <see cref="MqttPacketEncoder"/>, decode with <see cref="MqttPacketDecoder"/>.</summary>
public abstract class MqttPacket
{
    public abstract MqttPacketType Type { get; }

    public override string ToString() => Type.ToString();
}
