namespace RetailEdge.Mqtt;

/// <summary>SUBACK (spec 3.9): one return code per requested filter, in order.</summary>
public sealed class MqttSubAckPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.SubAck;

    public ushort PacketId { get; init; }

    public required IReadOnlyList<MqttSubAckReturnCode> ReturnCodes { get; init; }

    public override string ToString() => $"SUBACK id={PacketId} {string.Join(",", ReturnCodes)}";
}
