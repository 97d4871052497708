using System.Text;

namespace RetailEdge.Mqtt.Tests;

public class MqttPacketEncoderTests
{
    public static TheoryData<string> PacketNames => [.. Samples().Keys];

    [Theory]
    [MemberData(nameof(PacketNames))]
    public void Encode_EveryPacketType_RoundTrips(string name)
    {
        var original = Samples()[name];

        var bytes = MqttPacketEncoder.Encode(original);
        Assert.True(MqttPacketDecoder.TryDecode(bytes, bytes.Length, out var decoded, out var consumed));

        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(bytes.Length, MqttPacketEncoder.GetEncodedLength(original));
        Assert.Equal(original.GetType(), decoded!.GetType());
        Assert.Equal(Describe(original), Describe(decoded));
        Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(MqttPacketEncoder.Encode(decoded)));
    }

    [Fact]
    public void Encode_AllFourteenPacketTypes_AreCovered()
    {
        var types = Samples().Values.Select(p => p.Type).Distinct().Order().ToArray();

        Assert.Equal(Enum.GetValues<MqttPacketType>(), types);
    }

    [Fact]
    public void Encode_LargePublish_UsesFourByteRemainingLength()
    {
        var packet = new MqttPublishPacket { Topic = "t", Payload = new byte[2_097_152] };

        var bytes = MqttPacketEncoder.Encode(packet);

        Assert.Equal("3083808001", Convert.ToHexString(bytes, 0, 5));
        Assert.True(MqttPacketDecoder.TryDecode(bytes, bytes.Length, out var decoded, out _));
        Assert.Equal(2_097_152, ((MqttPublishPacket)decoded!).Payload.Length);
    }

    [Theory]
    [InlineData("a/+")]
    [InlineData("#")]
    [InlineData("")]
    [InlineData("a\0b")]
    public void Encode_PublishWithInvalidTopic_Throws(string topic)
    {
        var ex = Assert.Throws<MqttProtocolException>(() => MqttPacketEncoder.Encode(new MqttPublishPacket { Topic = topic }));

        Assert.Equal(MqttProtocolError.InvalidTopic, ex.Error);
    }

    [Fact]
    public void Encode_LoneSurrogateInClientId_ThrowsInvalidUtf8()
    {
        var ex = Assert.Throws<MqttProtocolException>(() => MqttPacketEncoder.Encode(new MqttConnectPacket { ClientId = "a\uD800" }));

        Assert.Equal(MqttProtocolError.InvalidUtf8, ex.Error);
    }

    [Fact]
    public void Encode_Qos1WithoutPacketId_Throws()
    {
        var ex = Assert.Throws<MqttProtocolException>(() => MqttPacketEncoder.Encode(new MqttPublishPacket { Topic = "t", QualityOfService = MqttQualityOfService.AtLeastOnce }));

        Assert.Equal(MqttProtocolError.InvalidPacketIdentifier, ex.Error);
    }

    [Fact]
    public void Encode_PasswordWithoutUserName_Throws()
    {
        var ex = Assert.Throws<MqttProtocolException>(() => MqttPacketEncoder.Encode(new MqttConnectPacket { ClientId = "c", Password = new byte[] { 1 } }));

        Assert.Equal(MqttProtocolError.InvalidField, ex.Error);
    }

    internal static Dictionary<string, MqttPacket> Samples() => new(StringComparer.Ordinal)
    {
        ["connect-full"] = new MqttConnectPacket
        {
            ClientId = "store017-gw/StoreGateway",
            CleanSession = false,
            KeepAliveSeconds = 300,
            UserName = "myhub.azure-devices.net/store017-gw/StoreGateway/?api-version=2021-04-12",
            Password = Encoding.UTF8.GetBytes("SharedAccessSignature sr=x&sig=y&se=1"),
            WillTopic = "status/gw",
            WillMessage = Encoding.UTF8.GetBytes("offline"),
            WillQualityOfService = MqttQualityOfService.AtLeastOnce,
            WillRetain = true,
        },
        ["connect-empty-client-id"] = new MqttConnectPacket { ClientId = string.Empty },
        ["connack"] = new MqttConnAckPacket { SessionPresent = true, ReturnCode = MqttConnectReturnCode.Accepted },
        ["connack-refused"] = new MqttConnAckPacket { ReturnCode = MqttConnectReturnCode.BadUserNameOrPassword },
        ["publish-qos0"] = new MqttPublishPacket { Topic = "devices/d/messages/events/$.ct=application%2Fjson", Payload = Encoding.UTF8.GetBytes("{}") },
        ["publish-qos1-dup-retain"] = new MqttPublishPacket { Topic = "ü/日本", Payload = new byte[300], QualityOfService = MqttQualityOfService.AtLeastOnce, PacketId = 65_535, Dup = true, Retain = true },
        ["publish-qos2"] = new MqttPublishPacket { Topic = "q2", QualityOfService = MqttQualityOfService.ExactlyOnce, PacketId = 7 },
        ["puback"] = new MqttPubAckPacket { PacketId = 1 },
        ["pubrec"] = new MqttPubRecPacket { PacketId = 2 },
        ["pubrel"] = new MqttPubRelPacket { PacketId = 3 },
        ["pubcomp"] = new MqttPubCompPacket { PacketId = 4 },
        ["subscribe"] = new MqttSubscribePacket
        {
            PacketId = 5,
            Subscriptions = [new("$iothub/twin/res/#", MqttQualityOfService.AtMostOnce), new("devices/+/modules/m/#", MqttQualityOfService.AtLeastOnce), new("#", MqttQualityOfService.ExactlyOnce)],
        },
        ["suback"] = new MqttSubAckPacket { PacketId = 5, ReturnCodes = [MqttSubAckReturnCode.GrantedQualityOfService0, MqttSubAckReturnCode.GrantedQualityOfService1, MqttSubAckReturnCode.Failure] },
        ["unsubscribe"] = new MqttUnsubscribePacket { PacketId = 6, TopicFilters = ["a/b", "+/+"] },
        ["unsuback"] = new MqttUnsubAckPacket { PacketId = 6 },
        ["pingreq"] = MqttPingReqPacket.Instance,
        ["pingresp"] = MqttPingRespPacket.Instance,
        ["disconnect"] = MqttDisconnectPacket.Instance,
    };

    /// <summary>Every field of a packet as text, so two packets compare by value.</summary>
    private static string Describe(MqttPacket packet) => packet switch
    {
        MqttConnectPacket p => $"{p.ProtocolLevel}|{p.ClientId}|{p.CleanSession}|{p.KeepAliveSeconds}|{p.UserName}|{(p.Password is null ? "null" : Convert.ToHexString(p.Password))}|{p.WillTopic}|{Hex(p.WillMessage)}|{p.WillQualityOfService}|{p.WillRetain}",
        MqttConnAckPacket p => $"{p.SessionPresent}|{p.ReturnCode}",
        MqttPublishPacket p => $"{p.Topic}|{Hex(p.Payload)}|{p.QualityOfService}|{p.Dup}|{p.Retain}|{p.PacketId}",
        MqttPubAckPacket p => $"{p.PacketId}",
        MqttPubRecPacket p => $"{p.PacketId}",
        MqttPubRelPacket p => $"{p.PacketId}",
        MqttPubCompPacket p => $"{p.PacketId}",
        MqttUnsubAckPacket p => $"{p.PacketId}",
        MqttSubscribePacket p => $"{p.PacketId}|{string.Join(",", p.Subscriptions)}",
        MqttSubAckPacket p => $"{p.PacketId}|{string.Join(",", p.ReturnCodes)}",
        MqttUnsubscribePacket p => $"{p.PacketId}|{string.Join(",", p.TopicFilters)}",
        _ => packet.Type.ToString(),
    };

    private static string Hex(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Convert.ToHexString(b.Span) : "null";
}
