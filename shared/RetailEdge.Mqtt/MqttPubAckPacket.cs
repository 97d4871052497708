namespace RetailEdge.Mqtt;

/// <summary>PUBACK (spec 3.4): a packet identifier and nothing else.</summary>
public sealed class MqttPubAckPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.PubAck;

    public ushort PacketId { get; init; }

    public override string ToString() => $"PUBACK id={PacketId}";
}
