namespace RetailEdge.Mqtt;

/// <summary>PINGREQ (spec 3.12): a fixed header only; one shared instance.</summary>
public sealed class MqttPingReqPacket : MqttPacket
{
    public static readonly MqttPingReqPacket Instance = new();

    private MqttPingReqPacket()
    {
    }

    public override MqttPacketType Type => MqttPacketType.PingReq;
}
