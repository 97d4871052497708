namespace RetailEdge.Mqtt;

/// <summary>DISCONNECT (spec 3.14): a fixed header only; one shared instance.</summary>
public sealed class MqttDisconnectPacket : MqttPacket
{
    public static readonly MqttDisconnectPacket Instance = new();

    private MqttDisconnectPacket()
    {
    }

    public override MqttPacketType Type => MqttPacketType.Disconnect;
}
