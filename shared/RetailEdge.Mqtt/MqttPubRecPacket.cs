namespace RetailEdge.Mqtt;

/// <summary>PUBREC (spec 3.5): a packet identifier and nothing else.</summary>
public sealed class MqttPubRecPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.PubRec;

    public ushort PacketId { get; init; }

    public override string ToString() => $"PUBREC id={PacketId}";
}
