
namespace RetailEdge.IotHub.Credentials.Tests;

public class IotHubUrlEncodingTests
{
    [Theory]
    [InlineData("abc-_.!*()XYZ09", "abc-_.!*()XYZ09")]
    [InlineData("a/b c", "a%2fb+c")]
    [InlineData("application/json", "application%2fjson")]
    [InlineData("é€", "%c3%a9%e2%82%ac")]
    [InlineData("k=v&x", "k%3dv%26x")]
    public void Encode_LowerCase_EscapesReservedBytes(string value, string expected)
    {
        Assert.Equal(expected, IotHubUrlEncoding.Encode(value));
        Assert.Equal(expected.ToUpperInvariant().Replace("%", "%", StringComparison.Ordinal), IotHubUrlEncoding.Encode(value, lowerCaseHex: false).ToUpperInvariant());
        Assert.Equal(value, IotHubUrlEncoding.Decode(expected));
        Assert.Equal(value, IotHubUrlEncoding.Decode(IotHubUrlEncoding.Encode(value, lowerCaseHex: false)));
    }

    [Theory]
    [InlineData("%")]
    [InlineData("%2")]
    [InlineData("%zz")]
    [InlineData("%c3")]
    public void TryDecode_BadEscape_ReturnsFalse(string value)
    {
        Assert.False(IotHubUrlEncoding.TryDecode(value, out _));
    }

    [Fact]
    public void Encode_RandomStrings_RoundTrip()
    {
        var random = new Random(42);
        for (var i = 0; i < 2000; i++)
        {
            var chars = new char[random.Next(0, 40)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = (char)random.Next(0x20, 0x2FF);
            }
            var value = new string(chars);

            Assert.Equal(value, IotHubUrlEncoding.Decode(IotHubUrlEncoding.Encode(value, lowerCaseHex: i % 2 == 0)));
        }
    }
}
