using System.Text;

namespace RetailEdge.Mqtt.Tests;

public class MqttPacketDecoderTests
{
    private const int Max = 1024 * 1024;

    public static TheoryData<string> VectorNames => [.. SpecVectors.Names];

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Decode_SpecVector_ReencodesToSameBytes(string name)
    {
        var bytes = SpecVectors.Get(name);

        var packet = Decode(bytes);

        Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(MqttPacketEncoder.Encode(packet)));
    }

    [Fact]
    public void Decode_ConnectFigure3_6_ReadsEveryField()
    {
        var packet = Assert.IsType<MqttConnectPacket>(Decode(SpecVectors.Get("connect_3_1_2_10")));

        Assert.Equal(4, packet.ProtocolLevel);
        Assert.Equal(10, packet.KeepAliveSeconds);
        Assert.True(packet.CleanSession);
        Assert.Equal("cid", packet.ClientId);
        Assert.Equal("w/t", packet.WillTopic);
        Assert.Equal("bye", Encoding.UTF8.GetString(packet.WillMessage.Span));
        Assert.Equal(MqttQualityOfService.AtLeastOnce, packet.WillQualityOfService);
        Assert.False(packet.WillRetain);
        Assert.Equal("user", packet.UserName);
        Assert.Equal("pass", Encoding.UTF8.GetString(packet.Password!));
    }

    [Fact]
    public void Decode_PublishFigure3_11_ReadsTopicAndPacketId()
    {
        var packet = Assert.IsType<MqttPublishPacket>(Decode(SpecVectors.Get("publish_3_3_2_3_qos1")));

        Assert.Equal("a/b", packet.Topic);
        Assert.Equal(10, packet.PacketId);
        Assert.Equal(MqttQualityOfService.AtLeastOnce, packet.QualityOfService);
        Assert.Equal("hello", Encoding.UTF8.GetString(packet.Payload.Span));
    }

    [Fact]
    public void Decode_Utf8Figure1_1_ReadsSupplementaryCharacter()
    {
        var packet = Assert.IsType<MqttPublishPacket>(Decode(SpecVectors.Get("publish_utf8_1_5_3_1")));

        Assert.Equal("A\U0002A6D4", packet.Topic);
    }

    [Fact]
    public void Decode_SubscribeAndSubAckFigures_ReadLists()
    {
        var subscribe = Assert.IsType<MqttSubscribePacket>(Decode(SpecVectors.Get("subscribe_3_8_3")));
        var subAck = Assert.IsType<MqttSubAckPacket>(Decode(SpecVectors.Get("suback_3_9_3")));
        var unsubscribe = Assert.IsType<MqttUnsubscribePacket>(Decode(SpecVectors.Get("unsubscribe_3_10_3")));

        Assert.Equal([new MqttSubscription("a/b", MqttQualityOfService.AtLeastOnce), new MqttSubscription("c/d", MqttQualityOfService.ExactlyOnce)], subscribe.Subscriptions);
        Assert.Equal([MqttSubAckReturnCode.GrantedQualityOfService0, MqttSubAckReturnCode.GrantedQualityOfService2, MqttSubAckReturnCode.Failure], subAck.ReturnCodes);
        Assert.Equal(["a/b", "c/d"], unsubscribe.TopicFilters);
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(127, "7F")]
    [InlineData(128, "8001")]
    [InlineData(16_383, "FF7F")]
    [InlineData(16_384, "808001")]
    [InlineData(2_097_151, "FFFF7F")]
    [InlineData(2_097_152, "80808001")]
    [InlineData(268_435_455, "FFFFFF7F")]
    public void RemainingLength_Table2_4_EncodesAndDecodes(int value, string hex)
    {
        var buffer = new byte[4];
        var written = MqttPacketEncoder.WriteRemainingLength(value, buffer);
        var header = Convert.FromHexString("30" + hex);

        var complete = MqttPacketDecoder.TryReadFixedHeader(header, int.MaxValue, out _, out var decoded, out var headerLength);

        Assert.Equal(hex, Convert.ToHexString(buffer, 0, written));
        Assert.True(complete);
        Assert.Equal(value, decoded);
        Assert.Equal(1 + written, headerLength);
    }

    [Theory]
    [InlineData("30FFFFFFFF01", MqttProtocolError.MalformedRemainingLength)] // five varint bytes (spec 2.2.3)
    [InlineData("00", MqttProtocolError.ReservedFlags)] // packet type 0 is reserved
    [InlineData("F000", MqttProtocolError.ReservedFlags)] // packet type 15 is reserved
    [InlineData("4102000A", MqttProtocolError.ReservedFlags)] // PUBACK with flags 0001
    [InlineData("6002000A", MqttProtocolError.ReservedFlags)] // PUBREL must carry 0010 (spec 3.6.1-1)
    [InlineData("8008000A0003612F6201", MqttProtocolError.ReservedFlags)] // SUBSCRIBE must carry 0010 (spec 3.8.1-1)
    [InlineData("C100", MqttProtocolError.ReservedFlags)] // PINGREQ with flags
    [InlineData("36050001610001", MqttProtocolError.InvalidQualityOfService)] // PUBLISH QoS 3
    [InlineData("3803000161", MqttProtocolError.InvalidField)] // DUP with QoS 0 (spec 3.3.1-2)
    [InlineData("32050001610000", MqttProtocolError.InvalidPacketIdentifier)] // packet id 0 (spec 2.3.1-1)
    [InlineData("40020000", MqttProtocolError.InvalidPacketIdentifier)]
    [InlineData("4003000A00", MqttProtocolError.MalformedLength)] // PUBACK with a trailing byte
    [InlineData("400100", MqttProtocolError.MalformedLength)] // PUBACK too short
    [InlineData("3003000561", MqttProtocolError.MalformedLength)] // topic length runs past the packet
    [InlineData("300400022B61", MqttProtocolError.InvalidTopic)] // '+' in a topic name
    [InlineData("3003000100", MqttProtocolError.InvalidUtf8)] // U+0000 (spec 1.5.3-2)
    [InlineData("30040002C0AF", MqttProtocolError.InvalidUtf8)] // overlong encoding of '/'
    [InlineData("30050003EDA080", MqttProtocolError.InvalidUtf8)] // encoded surrogate U+D800 (spec 1.5.3-1)
    [InlineData("3002000361", MqttProtocolError.MalformedLength)] // remaining length shorter than the topic
    [InlineData("2003010000", MqttProtocolError.MalformedLength)] // CONNACK with a trailing byte
    [InlineData("20020200", MqttProtocolError.ReservedFlags)] // CONNACK flags bits 7-1 (spec 3.2.2.1)
    [InlineData("20020006", MqttProtocolError.InvalidField)] // CONNACK return code 6 is reserved
    [InlineData("82020001", MqttProtocolError.InvalidField)] // SUBSCRIBE without filters (spec 3.8.3-3)
    [InlineData("82080001000361236201", MqttProtocolError.InvalidTopic)] // filter "a#b" (spec 4.7.1-2)
    [InlineData("820800010003612F2305", MqttProtocolError.ReservedFlags)] // requested QoS byte 0x05 (spec 3.8.3-4)
    [InlineData("900300010F", MqttProtocolError.InvalidField)] // SUBACK return code 0x0F
    [InlineData("A2020001", MqttProtocolError.InvalidField)] // UNSUBSCRIBE without filters
    [InlineData("101000044D51545404010000000461626364", MqttProtocolError.ReservedFlags)] // CONNECT reserved flag (spec 3.1.2-3)
    [InlineData("101000044D51545404400000000461626364", MqttProtocolError.InvalidField)] // password without user name (spec 3.1.2-22)
    [InlineData("101000044D51545404100000000461626364", MqttProtocolError.InvalidField)] // will QoS without will flag
    [InlineData("101000044D515454041C0000000461626364", MqttProtocolError.InvalidQualityOfService)] // will QoS 3 (spec 3.1.2-14)
    [InlineData("101000044D51545804020000000461626364", MqttProtocolError.InvalidProtocolName)] // "MQTX"
    public void Decode_MalformedPacket_ThrowsProtocolError(string hex, MqttProtocolError expected)
    {
        var bytes = Convert.FromHexString(hex);

        var ex = Assert.Throws<MqttProtocolException>(() => MqttPacketDecoder.TryDecode(bytes, Max, out _, out _));

        Assert.Equal(expected, ex.Error);
    }

    [Fact]
    public void TryDecode_TruncatedPacket_AsksForMoreBytes()
    {
        var bytes = SpecVectors.Get("connect_3_1_2_10");

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(MqttPacketDecoder.TryDecode(bytes.AsSpan(0, length), Max, out var packet, out var consumed));
            Assert.Null(packet);
            Assert.Equal(0, consumed);
        }
        Assert.True(MqttPacketDecoder.TryDecode(bytes, Max, out _, out var all));
        Assert.Equal(bytes.Length, all);
    }

    [Fact]
    public void TryReadFixedHeader_AnnouncedSizeAboveMaximum_ThrowsBeforeBuffering()
    {
        // only the header is present: the size check must not wait for (or allocate) the body
        var header = Convert.FromHexString("30FFFFFF7F");

        var ex = Assert.Throws<MqttProtocolException>(() => MqttPacketDecoder.TryReadFixedHeader(header, 256 * 1024, out _, out _, out _));

        Assert.Equal(MqttProtocolError.PacketTooLarge, ex.Error);
    }

    [Fact]
    public void TryDecode_TwoPacketsInOneBuffer_ConsumesOneAtATime()
    {
        var bytes = SpecVectors.Get("puback_10").Concat(SpecVectors.Get("pingresp_3_13")).ToArray();

        Assert.True(MqttPacketDecoder.TryDecode(bytes, Max, out var first, out var consumed));
        Assert.True(MqttPacketDecoder.TryDecode(bytes.AsSpan(consumed), Max, out var second, out _));

        Assert.Equal(10, Assert.IsType<MqttPubAckPacket>(first).PacketId);
        Assert.IsType<MqttPingRespPacket>(second);
    }

    private static MqttPacket Decode(byte[] bytes)
    {
        Assert.True(MqttPacketDecoder.TryDecode(bytes, Max, out var packet, out var consumed));
        Assert.Equal(bytes.Length, consumed);
        return packet!;
    }
}
