namespace RetailEdge.Mqtt;

/// <summary>PUBREL (spec 3.6): a packet identifier and nothing else.</summary>
public sealed class MqttPubRelPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.PubRel;

    public ushort PacketId { get; init; }

    public override string ToString() => $"PUBREL id={PacketId}";
}
