using System.Buffers.Binary;

namespace RetailEdge.Mqtt;

/// <summary>
/// Turns bytes into packets (spec chapters 2 and 3). Pure and synchronous. Anything malformed
/// throws <see cref="MqttProtocolException"/>; the size of a packet is checked against the
/// caller's maximum from its fixed header, before anything is buffered or allocated.
/// </summary>
public static class MqttPacketDecoder
{
    /// <summary>
    /// Reads a fixed header (spec 2.2). Returns false when more bytes are needed; throws when the
    /// varint is malformed or announces more than <paramref name="maxPacketSize"/> bytes in total.
    /// </summary>
    public static bool TryReadFixedHeader(ReadOnlySpan<byte> buffer, int maxPacketSize, out byte firstByte, out int remainingLength, out int headerLength)
    {
        firstByte = 0;
        remainingLength = 0;
        headerLength = 0;
        if (buffer.IsEmpty)
        {
            return false;
        }
        var type = buffer[0] >> 4;
        if (type is 0 or 15)
        {
            throw new MqttProtocolException(MqttProtocolError.ReservedFlags, $"packet type {type} is reserved (spec 2.2.1)");
        }
        var value = 0;
        var multiplier = 1;
        for (var i = 1; ; i++)
        {
            if (i > 4)
            {
                throw new MqttProtocolException(MqttProtocolError.MalformedRemainingLength, "remaining length uses more than four bytes (spec 2.2.3)");
            }
            if (i >= buffer.Length)
            {
                return false;
            }
            var digit = buffer[i];
            value += (digit & 0x7F) * multiplier;
            multiplier *= 128;
            if ((digit & 0x80) == 0)
            {
                headerLength = i + 1;
                break;
            }
        }
        if ((long)headerLength + value > maxPacketSize)
        {
            throw new MqttProtocolException(MqttProtocolError.PacketTooLarge, $"packet of {(long)headerLength + value} bytes exceeds the maximum of {maxPacketSize}");
        }
        firstByte = buffer[0];
        remainingLength = value;
        return true;
    }

    /// <summary>
    /// Decodes one whole packet from the start of <paramref name="buffer"/>. Returns false when
    /// the buffer does not yet hold all of it; <paramref name="consumed"/> is then 0.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> buffer, int maxPacketSize, out MqttPacket? packet, out int consumed)
    {
        packet = null;
        consumed = 0;
        if (!TryReadFixedHeader(buffer, maxPacketSize, out var firstByte, out var remaining, out var headerLength)
            || buffer.Length - headerLength < remaining)
        {
            return false;
        }
        packet = DecodeBody(firstByte, buffer.Slice(headerLength, remaining));
        consumed = headerLength + remaining;
        return true;
    }

    /// <summary>Decodes a packet from its first byte and exactly its remaining-length bytes.</summary>
    public static MqttPacket DecodeBody(byte firstByte, ReadOnlySpan<byte> body)
    {
        var type = (MqttPacketType)(firstByte >> 4);
        var flags = firstByte & 0x0F;
        var r = new Reader(body);
        MqttPacket packet;
        switch (type)
        {
            case MqttPacketType.Publish:
                packet = DecodePublish(flags, ref r);
                break;
            case MqttPacketType.PubRel:
            case MqttPacketType.Subscribe:
            case MqttPacketType.Unsubscribe:
                // spec 3.6.1-1, 3.8.1-1, 3.10.1-1
                ExpectFlags(type, flags, 0x02);
                packet = type switch
                {
                    MqttPacketType.PubRel => new MqttPubRelPacket { PacketId = r.PacketId() },
                    MqttPacketType.Subscribe => DecodeSubscribe(ref r),
                    _ => DecodeUnsubscribe(ref r),
                };
                break;
            default:
                ExpectFlags(type, flags, 0x00);
                packet = type switch
                {
                    MqttPacketType.Connect => DecodeConnect(ref r),
                    MqttPacketType.ConnAck => DecodeConnAck(ref r),
                    MqttPacketType.PubAck => new MqttPubAckPacket { PacketId = r.PacketId() },
                    MqttPacketType.PubRec => new MqttPubRecPacket { PacketId = r.PacketId() },
                    MqttPacketType.PubComp => new MqttPubCompPacket { PacketId = r.PacketId() },
                    MqttPacketType.UnsubAck => new MqttUnsubAckPacket { PacketId = r.PacketId() },
                    MqttPacketType.SubAck => DecodeSubAck(ref r),
                    MqttPacketType.PingReq => MqttPingReqPacket.Instance,
                    MqttPacketType.PingResp => MqttPingRespPacket.Instance,
                    MqttPacketType.Disconnect => MqttDisconnectPacket.Instance,
                    _ => throw new MqttProtocolException(MqttProtocolError.ReservedFlags, $"packet type {(int)type} is reserved (spec 2.2.1)"),
                };
                break;
        }
        if (!r.AtEnd)
        {
            throw new MqttProtocolException(MqttProtocolError.MalformedLength, $"{type} has {r.Remaining} bytes beyond its fields");
        }
        return packet;
    }

    private static void ExpectFlags(MqttPacketType type, int flags, int expected)
    {
        if (flags != expected)
        {
            throw new MqttProtocolException(MqttProtocolError.ReservedFlags, $"{type} fixed header flags must be {expected:X1}, got {flags:X1} (spec 2.2.2)");
        }
    }

    private static MqttConnectPacket DecodeConnect(ref Reader r)
    {
        var protocolName = r.String("protocol name");
        if (protocolName != "MQTT")
        {
            // spec 3.1.2-1: not MQTT, close the connection without CONNACK
            throw new MqttProtocolException(MqttProtocolError.InvalidProtocolName, $"protocol name '{protocolName}' is not 'MQTT' (spec 3.1.2-1)");
        }
        var level = r.Byte();
        var flags = r.Byte();
        if ((flags & 0x01) != 0)
        {
            throw new MqttProtocolException(MqttProtocolError.ReservedFlags, "CONNECT reserved flag must be 0 (spec 3.1.2-3)");
        }
        var willFlag = (flags & 0x04) != 0;
        var willQos = (flags >> 3) & 0x03;
        var willRetain = (flags & 0x20) != 0;
        var hasPassword = (flags & 0x40) != 0;
        var hasUserName = (flags & 0x80) != 0;
        if (!willFlag && (willQos != 0 || willRetain))
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidField, "will QoS and retain must be 0 without a will (spec 3.1.2-13, 3.1.2-15)");
        }
        if (willQos == 3)
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidQualityOfService, "will QoS 3 is not allowed (spec 3.1.2-14)");
        }
        if (hasPassword && !hasUserName)
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidField, "password flag without user name flag (spec 3.1.2-22)");
        }
        var keepAlive = r.UInt16();
        var clientId = r.String("client identifier");
        string? willTopic = null;
        byte[] willMessage = [];
        if (willFlag)
        {
            willTopic = r.String("will topic");
            MqttTopic.ValidateTopicName(willTopic);
            willMessage = r.Binary().ToArray();
        }
        var userName = hasUserName ? r.String("user name") : null;
        var password = hasPassword ? r.Binary().ToArray() : null;
        return new MqttConnectPacket
        {
            ProtocolLevel = level,
            CleanSession = (flags & 0x02) != 0,
            KeepAliveSeconds = keepAlive,
            ClientId = clientId,
            WillTopic = willTopic,
            WillMessage = willMessage,
            WillQualityOfService = (MqttQualityOfService)willQos,
            WillRetain = willRetain,
            UserName = userName,
            Password = password,
        };
    }

    private static MqttConnAckPacket DecodeConnAck(ref Reader r)
    {
        var ackFlags = r.Byte();
        if ((ackFlags & 0xFE) != 0)
        {
            throw new MqttProtocolException(MqttProtocolError.ReservedFlags, "CONNACK flags bits 7-1 are reserved (spec 3.2.2.1)");
        }
        var code = r.Byte();
        if (code > (byte)MqttConnectReturnCode.NotAuthorized)
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidField, $"CONNACK return code {code} is reserved (spec 3.2.2.3)");
        }
        return new MqttConnAckPacket { SessionPresent = ackFlags == 1, ReturnCode = (MqttConnectReturnCode)code };
    }

    private static MqttPublishPacket DecodePublish(int flags, ref Reader r)
    {
        var qos = (flags >> 1) & 0x03;
        var dup = (flags & 0x08) != 0;
        if (qos == 3)
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidQualityOfService, "PUBLISH QoS 3 is not allowed (spec 3.3.1-4)");
        }
        if (qos == 0 && dup)
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidField, "DUP must be 0 for QoS 0 (spec 3.3.1-2)");
        }
        var topic = r.String("topic name");
        MqttTopic.ValidateTopicName(topic);
        var packetId = qos > 0 ? r.PacketId() : (ushort)0;
        return new MqttPublishPacket
        {
            Topic = topic,
            QualityOfService = (MqttQualityOfService)qos,
            Dup = dup,
            Retain = (flags & 0x01) != 0,
            PacketId = packetId,
            Payload = r.Rest().ToArray(),
        };
    }

    private static MqttSubscribePacket DecodeSubscribe(ref Reader r)
    {
        var id = r.PacketId();
        var subscriptions = new List<MqttSubscription>();
        while (!r.AtEnd)
        {
            var filter = r.String("topic filter");
            MqttTopic.ValidateTopicFilter(filter);
            var options = r.Byte();
            if ((options & 0xFC) != 0)
            {
                throw new MqttProtocolException(MqttProtocolError.ReservedFlags, "requested QoS byte has reserved bits set (spec 3.8.3-4)");
            }
            if (options == 3)
            {
                throw new MqttProtocolException(MqttProtocolError.InvalidQualityOfService, "requested QoS 3 is not allowed (spec 3.8.3-4)");
            }
            subscriptions.Add(new MqttSubscription(filter, (MqttQualityOfService)options));
        }
        if (subscriptions.Count == 0)
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidField, "SUBSCRIBE without a topic filter (spec 3.8.3-3)");
        }
        return new MqttSubscribePacket { PacketId = id, Subscriptions = subscriptions };
    }

    private static MqttSubAckPacket DecodeSubAck(ref Reader r)
    {
        var id = r.PacketId();
        var codes = new List<MqttSubAckReturnCode>();
        while (!r.AtEnd)
        {
            var code = r.Byte();
            if (code is not (0 or 1 or 2 or 0x80))
            {
                throw new MqttProtocolException(MqttProtocolError.InvalidField, $"SUBACK return code 0x{code:X2} is reserved (spec 3.9.3-2)");
            }
            codes.Add((MqttSubAckReturnCode)code);
        }
        if (codes.Count == 0)
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidField, "SUBACK without return codes (spec 3.9.3)");
        }
        return new MqttSubAckPacket { PacketId = id, ReturnCodes = codes };
    }

    private static MqttUnsubscribePacket DecodeUnsubscribe(ref Reader r)
    {
        var id = r.PacketId();
        var filters = new List<string>();
        while (!r.AtEnd)
        {
            var filter = r.String("topic filter");
            MqttTopic.ValidateTopicFilter(filter);
            filters.Add(filter);
        }
        if (filters.Count == 0)
        {
            throw new MqttProtocolException(MqttProtocolError.InvalidField, "UNSUBSCRIBE without a topic filter (spec 3.10.3-2)");
        }
        return new MqttUnsubscribePacket { PacketId = id, TopicFilters = filters };
    }

    private ref struct Reader(ReadOnlySpan<byte> body)
    {
        private readonly ReadOnlySpan<byte> _body = body;
        private int _position;

        public readonly bool AtEnd => _position == _body.Length;

        public readonly int Remaining => _body.Length - _position;

        public byte Byte()
        {
            Need(1, "byte");
            return _body[_position++];
        }

        public ushort UInt16()
        {
            Need(2, "two-byte integer");
            var value = BinaryPrimitives.ReadUInt16BigEndian(_body[_position..]);
            _position += 2;
            return value;
        }

        public ushort PacketId()
        {
            var id = UInt16();
            return id != 0 ? id : throw new MqttProtocolException(MqttProtocolError.InvalidPacketIdentifier, "packet identifier must be non-zero (spec 2.3.1-1)");
        }

        public string String(string field) => MqttUtf8.Decode(Binary(field), field);

        public ReadOnlySpan<byte> Binary(string field = "binary data")
        {
            var length = UInt16();
            Need(length, field);
            var value = _body.Slice(_position, length);
            _position += length;
            return value;
        }

        public ReadOnlySpan<byte> Rest()
        {
            var rest = _body[_position..];
            _position = _body.Length;
            return rest;
        }

        private readonly void Need(int count, string field)
        {
            if (_body.Length - _position < count)
            {
                throw new MqttProtocolException(MqttProtocolError.MalformedLength, $"{field} runs past the end of the packet");
            }
        }
    }
}
