namespace RetailEdge.Mqtt;

/// <summary>PUBLISH (spec 3.3).</summary>
public sealed class MqttPublishPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Publish;

    public required string Topic { get; init; }

    public ReadOnlyMemory<byte> Payload { get; init; }

    public MqttQualityOfService QualityOfService { get; init; }

    /// <summary>Set on a re-delivery attempt (spec 3.3.1.1); only with QoS &gt; 0.</summary>
    public bool Dup { get; init; }

    public bool Retain { get; init; }

    /// <summary>Present (non-zero) only when QoS &gt; 0 (spec 2.3.1).</summary>
    public ushort PacketId { get; init; }

    public override string ToString() => $"PUBLISH {Topic} qos={(int)QualityOfService} id={PacketId} dup={Dup} bytes={Payload.Length}";
}
