namespace RetailEdge.Mqtt;

/// <summary>UNSUBACK (spec 3.11): a packet identifier and nothing else.</summary>
public sealed class MqttUnsubAckPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.UnsubAck;

    public ushort PacketId { get; init; }

    public override string ToString() => $"UNSUBACK id={PacketId}";
}
