using System.Buffers.Binary;

namespace RetailEdge.Mqtt;

/// <summary>
/// Turns packets into bytes (spec chapters 2 and 3). Pure and synchronous; validates what it
/// writes so that we never put a packet on the wire that a peer must reject.
/// </summary>
public static class MqttPacketEncoder
{
    /// <summary>The largest remaining length the four-byte varint can express (spec 2.2.3).</summary>
    public const int MaxRemainingLength = 268_435_455;

    /// <summary>Encodes one packet into a new array.</summary>
    public static byte[] Encode(MqttPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var remaining = GetRemainingLength(packet);
        var buffer = new byte[1 + VarintLength(remaining) + remaining];
        var written = Write(packet, remaining, buffer);
        return written == buffer.Length ? buffer : throw new InvalidOperationException("encoder length mismatch");
    }

    /// <summary>The total encoded size: fixed header plus remaining length.</summary>
    public static int GetEncodedLength(MqttPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var remaining = GetRemainingLength(packet);
        return 1 + VarintLength(remaining) + remaining;
    }

    /// <summary>Encodes into <paramref name="destination"/> (at least <see cref="GetEncodedLength"/> bytes); returns the bytes written.</summary>
    public static int Encode(MqttPacket packet, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(packet);
        return Write(packet, GetRemainingLength(packet), destination);
    }

    /// <summary>Writes the remaining-length varint (spec 2.2.3); returns its length (1–4).</summary>
    public static int WriteRemainingLength(int value, Span<byte> destination)
    {
        if (value is < 0 or > MaxRemainingLength)
        {
            throw new MqttProtocolException(MqttProtocolError.PacketTooLarge, $"remaining length {value} is outside 0..{MaxRemainingLength} (spec 2.2.3)");
        }
        var i = 0;
        do
        {
            var digit = (byte)(value % 128);
            value /= 128;
            if (value > 0)
            {
                digit |= 0x80;
            }
            destination[i++] = digit;
        }
        while (value > 0);
        return i;
    }

    internal static int VarintLength(int value) => value switch
    {
        < 128 => 1,
        < 16_384 => 2,
        < 2_097_152 => 3,
        _ => 4,
    };

    private static int GetRemainingLength(MqttPacket packet)
    {
        long length = packet switch
        {
            MqttConnectPacket p => ConnectLength(p),
            MqttConnAckPacket => 2,
            MqttPublishPacket p => PublishLength(p),
            MqttPubAckPacket or MqttPubRecPacket or MqttPubRelPacket or MqttPubCompPacket or MqttUnsubAckPacket => 2,
            MqttSubscribePacket p => SubscribeLength(p),
            MqttSubAckPacket p => SubAckLength(p),
            MqttUnsubscribePacket p => UnsubscribeLength(p),
            MqttPingReqPacket or MqttPingRespPacket or MqttDisconnectPacket => 0,
            _ => throw new ArgumentException($"unknown packet type {packet.GetType().Name}", nameof(packet)),
        };
        if (length > MaxRemainingLength)
        {
            throw new MqttProtocolException(MqttProtocolError.PacketTooLarge, $"{packet.Type} of {length} bytes exceeds the MQTT maximum of {MaxRemainingLength} (spec 2.2.3)");
        }
        return (int)length;
    }

    private static long ConnectLength(MqttConnectPacket p)
    {
        // variable header: protocol name (2+4), level, flags, keep-alive (spec 3.1.2)
        long length = 10 + 2 + MqttUtf8.GetFieldByteCount(p.ClientId, "client identifier");
        if (p.WillTopic is not null)
        {
            MqttTopic.ValidateTopicName(p.WillTopic);
            CheckQos(p.WillQualityOfService, "will QoS");
            length += 2 + MqttUtf8.GetFieldByteCount(p.WillTopic, "will topic") + 2 + CheckBinary(p.WillMessage.Length, "will message");
        }
        else if (p.WillRetain || p.WillQualityOfService != MqttQualityOfService.AtMostOnce)
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidField, "will QoS and retain need a will topic (spec 3.1.2-13, 3.1.2-15)");
        }
        if (p.UserName is not null)
        {
            length += 2 + MqttUtf8.GetFieldByteCount(p.UserName, "user name");
        }
        if (p.Password is { } password)
        {
            if (p.UserName is null)
            {
                throw new MqttProtocolException(MqttProtocolError.InvalidField, "a password needs a user name (spec 3.1.2-22)");
            }
            length += 2 + CheckBinary(password.Length, "password");
        }
        return length;
    }

    private static long PublishLength(MqttPublishPacket p)
    {
        MqttTopic.ValidateTopicName(p.Topic);
        CheckQos(p.QualityOfService, "publish QoS");
        long length = 2 + MqttUtf8.GetFieldByteCount(p.Topic, "topic name") + p.Payload.Length;
        if (p.QualityOfService == MqttQualityOfService.AtMostOnce)
        {
            if (p.Dup)
            {
                throw new MqttProtocolException(MqttProtocolError.InvalidField, "DUP must be 0 for QoS 0 (spec 3.3.1-2)");
            }
        }
        else
        {
            CheckPacketId(p.PacketId);
            length += 2;
        }
        return length;
    }

    private static long SubscribeLength(MqttSubscribePacket p)
    {
        CheckPacketId(p.PacketId);
        if (p.Subscriptions.Count == 0)
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidField, "SUBSCRIBE needs at least one filter (spec 3.8.3-3)");
        }
        long length = 2;
        foreach (var s in p.Subscriptions)
        {
            MqttTopic.ValidateTopicFilter(s.TopicFilter);
            CheckQos(s.QualityOfService, "requested QoS");
            length += 2 + MqttUtf8.GetFieldByteCount(s.TopicFilter, "topic filter") + 1;
        }
        return length;
    }

    private static long SubAckLength(MqttSubAckPacket p)
    {
        CheckPacketId(p.PacketId);
        foreach (var code in p.ReturnCodes)
        {
            if (!Enum.IsDefined(code))
            {
                throw new MqttProtocolException(MqttProtocolError.InvalidField, $"SUBACK return code 0x{(byte)code:X2} is reserved (spec 3.9.3-2)");
            }
        }
        return 2L + p.ReturnCodes.Count;
    }

    private static long UnsubscribeLength(MqttUnsubscribePacket p)
    {
        CheckPacketId(p.PacketId);
        if (p.TopicFilters.Count == 0)
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidField, "UNSUBSCRIBE needs at least one filter (spec 3.10.3-2)");
        }
        long length = 2;
        foreach (var filter in p.TopicFilters)
        {
            MqttTopic.ValidateTopicFilter(filter);
            length += 2 + MqttUtf8.GetFieldByteCount(filter, "topic filter");
        }
        return length;
    }

    private static int Write(MqttPacket packet, int remaining, Span<byte> buffer)
    {
        var flags = packet switch
        {
            MqttPublishPacket p => (byte)((p.Dup ? 0x08 : 0) | ((byte)p.QualityOfService << 1) | (p.Retain ? 0x01 : 0)),
            // spec 3.6.1-1, 3.8.1-1, 3.10.1-1: these carry the reserved flags 0010
            MqttPubRelPacket or MqttSubscribePacket or MqttUnsubscribePacket => (byte)0x02,
            _ => (byte)0,
        };
        buffer[0] = (byte)(((byte)packet.Type << 4) | flags);
        var w = new Writer(buffer, 1 + WriteRemainingLength(remaining, buffer[1..]));
        switch (packet)
        {
            case MqttConnectPacket p:
                w.String("MQTT");
                w.Byte(p.ProtocolLevel);
                w.Byte((byte)((p.UserName is not null ? 0x80 : 0)
                    | (p.Password is not null ? 0x40 : 0)
                    | (p.WillTopic is not null && p.WillRetain ? 0x20 : 0)
                    | (p.WillTopic is not null ? ((byte)p.WillQualityOfService << 3) | 0x04 : 0)
                    | (p.CleanSession ? 0x02 : 0)));
                w.UInt16(p.KeepAliveSeconds);
                w.String(p.ClientId);
                if (p.WillTopic is not null)
                {
                    w.String(p.WillTopic);
                    w.Binary(p.WillMessage.Span);
                }
                if (p.UserName is not null)
                {
                    w.String(p.UserName);
                }
                if (p.Password is { } password)
                {
                    w.Binary(password);
                }
                break;
            case MqttConnAckPacket p:
                w.Byte(p.SessionPresent ? (byte)1 : (byte)0);
                w.Byte((byte)p.ReturnCode);
                break;
            case MqttPublishPacket p:
                w.String(p.Topic);
                if (p.QualityOfService != MqttQualityOfService.AtMostOnce)
                {
                    w.UInt16(p.PacketId);
                }
                w.Raw(p.Payload.Span);
                break;
            case MqttPubAckPacket p:
                w.UInt16(CheckPacketId(p.PacketId));
                break;
            case MqttPubRecPacket p:
                w.UInt16(CheckPacketId(p.PacketId));
                break;
            case MqttPubRelPacket p:
                w.UInt16(CheckPacketId(p.PacketId));
                break;
            case MqttPubCompPacket p:
                w.UInt16(CheckPacketId(p.PacketId));
                break;
            case MqttUnsubAckPacket p:
                w.UInt16(CheckPacketId(p.PacketId));
                break;
            case MqttSubscribePacket p:
                w.UInt16(p.PacketId);
                foreach (var s in p.Subscriptions)
                {
                    w.String(s.TopicFilter);
                    w.Byte((byte)s.QualityOfService);
                }
                break;
            case MqttSubAckPacket p:
                w.UInt16(p.PacketId);
                foreach (var code in p.ReturnCodes)
                {
                    w.Byte((byte)code);
                }
                break;
            case MqttUnsubscribePacket p:
                w.UInt16(p.PacketId);
                foreach (var filter in p.TopicFilters)
                {
                    w.String(filter);
                }
                break;
            default:
                break;
        }
        return w.Position;
    }

    private static int CheckBinary(int length, string field) =>
        length <= ushort.MaxValue
            ? length
            : throw new MqttProtocolException(MqttProtocolError.MalformedLength, $"{field} is {length} bytes; at most 65535 fit (spec 1.5.3)");

    private static void CheckQos(MqttQualityOfService qos, string field)
    {
        if ((byte)qos > 2)
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidQualityOfService, $"{field} {(byte)qos} is not 0, 1 or 2");
        }
    }

    private static ushort CheckPacketId(ushort id) =>
        id != 0 ? id : throw new MqttProtocolException(MqttProtocolError.InvalidPacketIdentifier, "packet identifier must be non-zero (spec 2.3.1-1)");

    private ref struct Writer(Span<byte> buffer, int position)
    {
        private readonly Span<byte> _buffer = buffer;

        public int Position { get; private set; } = position;

        public void Byte(byte value) => _buffer[Position++] = value;

        public void UInt16(ushort value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[Position..], value);
            Position += 2;
        }

        public void String(string value)
        {
            var n = MqttUtf8.Write(value, _buffer[(Position + 2)..]);
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[Position..], (ushort)n);
            Position += 2 + n;
        }

        public void Binary(ReadOnlySpan<byte> value)
        {
            UInt16((ushort)value.Length);
            Raw(value);
        }

        public void Raw(ReadOnlySpan<byte> value)
        {
            value.CopyTo(_buffer[Position..]);
            Position += value.Length;
        }
    }
}
