namespace RetailEdge.Delta.Tests;

public sealed class DeltaPathTests
{
    [Theory]
    [InlineData("special%20p@%23h", "special p@#h")]
    [InlineData("file:/some/path", "/some/path")]
    [InlineData("file:///some/path", "/some/path")]
    [InlineData("/some/path", "/some/path")]
    [InlineData("a%2525b", "a%25b")] // decoded exactly once
    public void Canonicalize_Path_DecodesOnceAndStripsFileScheme(string path, string expected)
    {
        Assert.Equal(expected, DeltaPath.Canonicalize(path));
    }

    [Fact]
    public void Canonicalize_AbsolutePathUnderTableRoot_BecomesRelative()
    {
        Assert.Equal("part-1.parquet", DeltaPath.Canonicalize("file:/data/t/part-1.parquet", "/data/t"));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a/b:c", "a%2Fb%3Ac")]
    [InlineData("x=y%z", "x%3Dy%25z")]
    [InlineData("", DeltaPath.HiveDefaultPartition)]
    [InlineData(null, DeltaPath.HiveDefaultPartition)]
    public void EscapePartitionValue_Value_UsesHiveEscaping(string? value, string expected)
    {
        Assert.Equal(expected, DeltaPath.EscapePartitionValue(value));
    }

    [Fact]
    public void Encode_ThenDecode_GivesPathBack()
    {
        const string path = "store=a%2Fb/day=2024-01-01/part 1 ü.parquet";

        Assert.Equal(path, DeltaPath.Decode(DeltaPath.Encode(path)));
        Assert.DoesNotContain(" ", DeltaPath.Encode(path), StringComparison.Ordinal);
    }
}
