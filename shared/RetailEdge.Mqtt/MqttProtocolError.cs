namespace RetailEdge.Mqtt;

/// <summary>Why a packet was refused: the reason code carried by <see cref="MqttProtocolException"/>.</summary>
public enum MqttProtocolError
{
    /// <summary>The remaining-length varint has more than four bytes (spec 2.2.3).</summary>
    MalformedRemainingLength,

    /// <summary>The packet is larger than the configured maximum.</summary>
    PacketTooLarge,

    /// <summary>A field runs past the end of the packet, or bytes are left over.</summary>
    MalformedLength,

    /// <summary>A reserved packet type or reserved flag bits are set (spec 2.2.2).</summary>
    ReservedFlags,

    /// <summary>A string is not well-formed UTF-8 or contains U+0000 (spec 1.5.3).</summary>
    InvalidUtf8,

    /// <summary>A topic name or filter breaks the rules of spec 4.7.</summary>
    InvalidTopic,

    /// <summary>A QoS value of 3 (spec 3.3.1-4).</summary>
    InvalidQualityOfService,

    /// <summary>A packet identifier of zero where one is required (spec 2.3.1-1).</summary>
    InvalidPacketIdentifier,

    /// <summary>The protocol name is not "MQTT" (spec 3.1.2.1).</summary>
    InvalidProtocolName,

    /// <summary>A field value is not allowed by the spec (flags, return codes, empty lists).</summary>
    InvalidField,

    /// <summary>A valid packet arrived where the protocol does not allow it.</summary>
    UnexpectedPacket,
}
