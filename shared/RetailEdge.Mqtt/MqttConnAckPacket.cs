namespace RetailEdge.Mqtt;

/// <summary>CONNACK (spec 3.2).</summary>
public sealed class MqttConnAckPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.ConnAck;

    public bool SessionPresent { get; init; }

    public MqttConnectReturnCode ReturnCode { get; init; }

    public override string ToString() => $"CONNACK {ReturnCode} sessionPresent={SessionPresent}";
}
