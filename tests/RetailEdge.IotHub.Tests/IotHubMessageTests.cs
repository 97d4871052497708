using System.Text;

namespace RetailEdge.IotHub.Tests;

public class IotHubMessageTests
{
    [Fact]
    public void ToPropertyBag_SystemAndApplicationProperties_EncodesAsProtocolsDescribes()
    {
        var message = new IotHubMessage(Encoding.UTF8.GetBytes("{}"))
        {
            MessageId = "m-1",
            CorrelationId = "c 1",
            ContentType = "application/json",
            ContentEncoding = "utf-8",
            OutputName = "telemetry",
            CreationTimeUtc = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero),
            Properties = new Dictionary<string, string> { ["store"] = "017", ["kind"] = "sales/minute" },
        };

        var bag = message.ToPropertyBag();

        Assert.Equal("%24.mid=m-1&%24.cid=c%201&%24.ct=application%2fjson&%24.ce=utf-8&%24.ctime=2026-11-21T10%3a00%3a00.0000000Z&%24.on=telemetry&store=017&kind=sales%2fminute", bag);
    }

    [Fact]
    public void TryFromPropertyBag_UpperCaseEscapesFromOtherClients_ReadsSystemAndApplicationProperties()
    {
        const string bag = "%24.mid=abc&%24.ct=application%2Fjson&%24.ce=utf-8&%24.on=out1&%24.cdid=store017-gw&%24.cmid=Sim&%24.exp=2030-01-01T00%3A00%3A00Z&temp=21.5&note=a+b";

        Assert.True(IotHubMessage.TryFromPropertyBag(new byte[] { 1 }, bag, out var message, out var error), error);

        Assert.Equal("abc", message.MessageId);
        Assert.Equal("application/json", message.ContentType);
        Assert.Equal("utf-8", message.ContentEncoding);
        Assert.Equal("out1", message.OutputName);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), message.ExpiryTimeUtc);
        Assert.Equal("store017-gw", message.OtherSystemProperties["$.cdid"]);
        Assert.Equal("Sim", message.OtherSystemProperties["$.cmid"]);
        Assert.Equal(new Dictionary<string, string> { ["temp"] = "21.5", ["note"] = "a b" }, message.Properties);
    }

    [Fact]
    public void ToPropertyBag_RoundTrip_KeepsEverything()
    {
        var original = new IotHubMessage(new byte[] { 1, 2, 3 })
        {
            MessageId = "id",
            ContentEncoding = "gzip",
            ContentType = "application/json",
            UserId = "u",
            CreationTimeUtc = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero),
            Properties = new Dictionary<string, string> { ["a&b"] = "c=d", ["empty"] = "", ["ü"] = "ß" },
        };

        Assert.True(IotHubMessage.TryFromPropertyBag(original.Body, original.ToPropertyBag(), out var copy, out var error), error);

        Assert.Equal(original.ToPropertyBag(), copy.ToPropertyBag());
        Assert.Equal(original.CreationTimeUtc, copy.CreationTimeUtc);
        Assert.Equal(original.Properties, copy.Properties);
    }

    [Theory]
    [InlineData("a=%zz")]
    [InlineData("=v")]
    public void TryFromPropertyBag_Malformed_ReturnsReason(string bag)
    {
        Assert.False(IotHubMessage.TryFromPropertyBag(ReadOnlyMemory<byte>.Empty, bag, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void TryFromPropertyBag_TooManyEntries_ReturnsReason()
    {
        var bag = string.Join('&', Enumerable.Range(0, PropertyBag.MaxEntries + 1).Select(i => $"k{i}=v"));

        Assert.False(IotHubMessage.TryFromPropertyBag(ReadOnlyMemory<byte>.Empty, bag, out _, out var error));
        Assert.Contains("entries", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ExactlyAtLimitCountingPropertyNamesAndValues_Passes()
    {
        // "$.mid" + "x" = 6 bytes, "k" + "vv" = 3 bytes
        var message = new IotHubMessage(new byte[IotHubMessage.MaxSize - 9])
        {
            MessageId = "x",
            Properties = new Dictionary<string, string> { ["k"] = "vv" },
        };

        Assert.Equal(IotHubMessage.MaxSize, message.GetSize());
        message.Validate();
    }

    [Fact]
    public void Validate_OneByteOverLimit_ThrowsMessageTooLarge()
    {
        var message = new IotHubMessage(new byte[IotHubMessage.MaxSize - 8])
        {
            MessageId = "x",
            Properties = new Dictionary<string, string> { ["k"] = "vv" },
        };

        var ex = Assert.Throws<MessageTooLargeException>(message.Validate);
        Assert.Equal(IotHubMessage.MaxSize + 1, ex.Size);
    }

    [Fact]
    public void Validate_ReservedApplicationPropertyName_Throws()
    {
        var message = new IotHubMessage(ReadOnlyMemory<byte>.Empty) { Properties = new Dictionary<string, string> { ["$.mid"] = "x" } };

        Assert.Throws<ArgumentException>(message.Validate);
    }

    [Fact]
    public void Validate_MessageIdTooLong_Throws()
    {
        var message = new IotHubMessage(ReadOnlyMemory<byte>.Empty) { MessageId = new string('a', 129) };

        Assert.Throws<ArgumentException>(message.Validate);
    }

    [Fact]
    public void ToPropertyBag_RandomText_NeverContainsWildcardsSlashOrNulAndRoundTrips()
    {
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            string Text() => new([.. Enumerable.Range(0, random.Next(1, 20)).Select(_ => (char)random.Next(0x20, 0x250))]);
            var message = new IotHubMessage(ReadOnlyMemory<byte>.Empty)
            {
                MessageId = "id " + i,
                ContentType = Text(),
                Properties = new Dictionary<string, string> { ["k " + Text()] = Text() + " + # /" },
            };

            var bag = message.ToPropertyBag();

            Assert.DoesNotContain('+', bag);
            Assert.DoesNotContain('#', bag);
            Assert.DoesNotContain('/', bag);
            Assert.True(IotHubMessage.TryFromPropertyBag(ReadOnlyMemory<byte>.Empty, bag, out var copy, out _));
            Assert.Equal(message.Properties, copy.Properties);
            Assert.Equal(message.ContentType, copy.ContentType);
        }
    }
}
