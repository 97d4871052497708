namespace RetailEdge.Mqtt;

/// <summary>PUBCOMP (spec 3.7): a packet identifier and nothing else.</summary>
public sealed class MqttPubCompPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.PubComp;

    public ushort PacketId { get; init; }

    public override string ToString() => $"PUBCOMP id={PacketId}";
}
