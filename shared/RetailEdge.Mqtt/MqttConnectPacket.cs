namespace RetailEdge.Mqtt;

/// <summary>CONNECT (spec 3.1).</summary>
public sealed class MqttConnectPacket : MqttPacket
{
    /// <summary>Protocol level 4 is MQTT 3.1.1 (spec 3.1.2.2).</summary>
    public const byte ProtocolLevel311 = 4;

    public override MqttPacketType Type => MqttPacketType.Connect;

    /// <summary>The protocol level as sent; a server answers anything but 4 with return code 1.</summary>
    public byte ProtocolLevel { get; init; } = ProtocolLevel311;

    public required string ClientId { get; init; }

    public bool CleanSession { get; init; } = true;

    /// <summary>Seconds; 0 turns keep-alive off (spec 3.1.2.10).</summary>
    public ushort KeepAliveSeconds { get; init; }

    public string? UserName { get; init; }

    /// <summary>Binary data (spec 3.1.3.5); a SAS token is its UTF-8 bytes.</summary>
    public byte[]? Password { get; init; }

    public string? WillTopic { get; init; }

    public ReadOnlyMemory<byte> WillMessage { get; init; }

    public MqttQualityOfService WillQualityOfService { get; init; }

    public bool WillRetain { get; init; }

    public override string ToString() => $"CONNECT client={ClientId} clean={CleanSession} keepAlive={KeepAliveSeconds}";
}
