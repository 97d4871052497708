namespace RetailEdge.Mqtt;

/// <summary>SUBSCRIBE (spec 3.8).</summary>
public sealed class MqttSubscribePacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Subscribe;

    public ushort PacketId { get; init; }

    /// <summary>At least one (spec 3.8.3-3).</summary>
    public required IReadOnlyList<MqttSubscription> Subscriptions { get; init; }

    public override string ToString() => $"SUBSCRIBE id={PacketId} {string.Join(", ", Subscriptions)}";
}
