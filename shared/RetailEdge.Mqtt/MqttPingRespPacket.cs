namespace RetailEdge.Mqtt;

/// <summary>PINGRESP (spec 3.13): a fixed header only; one shared instance.</summary>
public sealed class MqttPingRespPacket : MqttPacket
{
    public static readonly MqttPingRespPacket Instance = new();

    private MqttPingRespPacket()
    {
    }

    public override MqttPacketType Type => MqttPacketType.PingResp;
}
