using System.Text;

namespace RetailEdge.Contracts.Tests;

public sealed class StrictJsonTests
{
    [Theory]
    [InlineData("{\"seq\":1,\"seq\":2}", true)]
    [InlineData("{\"a\":{\"Body\":\"x\",\"Body\":\"y\"}}", true)]
    [InlineData("{\"seq\":1,", false)]
    [InlineData("{\"\\ud800\":1,\"\\ud800\":2}", false)]
    [InlineData("{\"\\udc00\":1,\"b\":2}", false)]
    public void TryParse_AmbiguousOrBrokenInput_NullWithReasonNeverThrows(string json, bool duplicate)
    {
        var document = StrictJson.TryParse(Encoding.UTF8.GetBytes(json), 16, out var duplicateKey, out var error);

        Assert.Null(document);
        Assert.Equal(duplicate, duplicateKey);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void TryParse_DuplicatesAllowed_LastKeyWins()
    {
        using var document = StrictJson.TryParse(Encoding.UTF8.GetBytes("{\"seq\":1,\"seq\":2}"), 16, out var duplicateKey, out _, rejectDuplicateKeys: false);

        Assert.NotNull(document);
        Assert.False(duplicateKey);
        Assert.Equal(2, document.RootElement.GetProperty("seq").GetInt32());
    }

    [Fact]
    public void TryParse_NotUtf8_NullWithTheOffsetOfTheFirstBadByte()
    {
        // "Jalape\xF1o" as a Latin-1 scale label writes it
        byte[] json = [.. Encoding.ASCII.GetBytes("{\"label\":\"Jalape"), 0xF1, .. Encoding.ASCII.GetBytes("o\"}")];

        var document = StrictJson.TryParse(json, 16, out var duplicateKey, out var error);

        Assert.Null(document);
        Assert.False(duplicateKey);
        Assert.Equal("not UTF-8 at byte 16", error);
    }
}
