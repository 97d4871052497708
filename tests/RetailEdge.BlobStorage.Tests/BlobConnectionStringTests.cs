namespace RetailEdge.BlobStorage.Tests;

public sealed class BlobConnectionStringTests
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [Fact]
    public void Parse_AccountKeyWithSuffix_BuildsHostStyleEndpoint()
    {
        var options = BlobConnectionString.Parse($"DefaultEndpointsProtocol=https;AccountName=retailedge;AccountKey={Key};EndpointSuffix=core.chinacloudapi.cn");
        Assert.Equal(new Uri("https://retailedge.blob.core.chinacloudapi.cn"), options.ServiceUri);
        Assert.Equal("retailedge", options.SharedKey!.AccountName);
        Assert.Equal("retailedge", options.AccountName);
    }

    [Fact]
    public void Parse_DefaultSuffixAndProtocol()
    {
        var options = BlobConnectionString.Parse($"AccountName=acct;AccountKey={Key}");
        Assert.Equal(new Uri("https://acct.blob.core.windows.net"), options.ServiceUri);
    }

    [Fact]
    public void Parse_BlobEndpointPathStyle_KeepsAccountSegment()
    {
        var options = BlobConnectionString.Parse($"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;");
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), options.ServiceUri);
        Assert.Equal("devstoreaccount1", options.AccountName);
    }

    [Fact]
    public void Parse_SharedAccessSignature_WithEqualsInValue()
    {
        var options = BlobConnectionString.Parse("BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2020-08-04&ss=b&sig=a%2Bb%3D");
        Assert.Null(options.SharedKey);
        Assert.Equal("sv=2020-08-04&ss=b&sig=a%2Bb%3D", options.SasToken);
        Assert.Equal("acct", options.AccountName);
    }

    [Fact]
    public void Parse_UseDevelopmentStorage_PointsAtEmulator()
    {
        var options = BlobConnectionString.Parse("UseDevelopmentStorage=true");
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), options.ServiceUri);
        Assert.NotNull(options.SharedKey);
    }

    [Theory]
    [InlineData("AccountName=acct", "AccountKey or SharedAccessSignature")]
    [InlineData("AccountKey=c2VjcmV0LXZhbHVl", "AccountName or BlobEndpoint")]
    [InlineData("garbage", "name=value")]
    [InlineData("AccountName=acct;AccountKey=c2VjcmV0LXZhbHVl;DefaultEndpointsProtocol=ftp", "http or https")]
    public void Parse_Invalid_NamesTheProblemWithoutEchoingValues(string connectionString, string expected)
    {
        var error = Assert.ThrowsAny<Exception>(() => BlobConnectionString.Parse(connectionString));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0LXZhbHVl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_KeyNotBase64_ErrorHidesKey()
    {
        var error = Assert.Throws<ArgumentException>(() => BlobConnectionString.Parse("AccountName=a;AccountKey=not*base64!secret"));
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }
}
