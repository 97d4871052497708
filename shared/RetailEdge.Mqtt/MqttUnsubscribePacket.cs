namespace RetailEdge.Mqtt;

/// <summary>UNSUBSCRIBE (spec 3.10).</summary>
public sealed class MqttUnsubscribePacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Unsubscribe;

    public ushort PacketId { get; init; }

    /// <summary>At least one (spec 3.10.3-2).</summary>
    public required IReadOnlyList<string> TopicFilters { get; init; }

    public override string ToString() => $"UNSUBSCRIBE id={PacketId} {string.Join(", ", TopicFilters)}";
}
