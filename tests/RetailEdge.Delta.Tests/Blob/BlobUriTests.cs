using RetailEdge.Delta.AzureBlob;

namespace RetailEdge.Delta.Tests.Blob;

public sealed class BlobUriTests
{
    [Theory]
    [InlineData("/data/lake", false)]
    [InlineData("lake", false)]
    [InlineData("file:///lake/gold/sales", false)]
    [InlineData("ftp://host/lake", false)]
    [InlineData("https://acct.blob.core.windows.net/lake", true)]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/lake", true)]
    [InlineData("abfss://lake@acct.dfs.core.windows.net/prod", true)]
    [InlineData("ABFSS://lake@acct.dfs.core.windows.net", true)]
    [InlineData("wasbs://lake@acct.blob.core.windows.net/prod", true)]
    public void IsUrl_BlobAndAdlsUrls_NotFolders(string location, bool expected) =>
        Assert.Equal(expected, BlobUri.IsUrl(location));

    [Fact]
    public void Parse_HostStyle_SplitsAccountContainerPath()
    {
        var uri = BlobUri.Parse("https://retailedge.blob.core.windows.net/lake/gold/sales%20by%20day/part=1");
        Assert.Equal(new Uri("https://retailedge.blob.core.windows.net"), uri.ServiceUri);
        Assert.Equal("retailedge", uri.AccountName);
        Assert.Equal("lake", uri.ContainerName);
        Assert.Equal("gold/sales by day/part=1", uri.Path);
        Assert.Null(uri.SasToken);
    }

    [Fact]
    public void Parse_PathStyleEmulator_TakesAccountFromFirstSegment()
    {
        var uri = BlobUri.Parse("http://127.0.0.1:10000/devstoreaccount1/lake/bronze/telemetry");
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), uri.ServiceUri);
        Assert.Equal("devstoreaccount1", uri.AccountName);
        Assert.Equal("lake", uri.ContainerName);
        Assert.Equal("bronze/telemetry", uri.Path);
    }

    [Fact]
    public void Parse_PathStyleOnAnyPortOfAnIpHost_ContainerUriWithoutSas()
    {
        var uri = BlobUri.Parse("http://127.0.0.1:54321/devstoreaccount1/lake/gold/t?sv=1&sig=SECRET");
        Assert.Equal("devstoreaccount1", uri.AccountName);
        Assert.Equal(new Uri("http://127.0.0.1:54321/devstoreaccount1/lake"), uri.ContainerUri);
        Assert.Equal("gold/t", uri.Path);
        Assert.Equal("http://127.0.0.1:54321/devstoreaccount1/lake/gold/t", uri.ToString());
    }

    [Fact]
    public void Parse_ContainerOnlyAndLocalhost()
    {
        var uri = BlobUri.Parse("http://localhost:10000/devstoreaccount1/lake");
        Assert.Equal("lake", uri.ContainerName);
        Assert.Equal(string.Empty, uri.Path);
    }

    [Fact]
    public void Parse_WithSas_KeepsItButToStringHidesIt()
    {
        var uri = BlobUri.Parse("https://acct.blob.core.windows.net/lake/x?sv=2020-08-04&sig=SECRET");
        Assert.Equal("sv=2020-08-04&sig=SECRET", uri.SasToken);
        Assert.Equal("https://acct.blob.core.windows.net/lake/x", uri.ToString());
    }

    [Theory]
    [InlineData("ftp://acct.blob.core.windows.net/lake")]
    [InlineData("not a url")]
    [InlineData("https://acct.blob.core.windows.net/Bad_Container/x")]
    [InlineData("http://127.0.0.1:10000/")]
    public void TryParse_Invalid_ReturnsFalseWithReason(string url)
    {
        Assert.False(BlobUri.TryParse(url, out _, out var error));
        Assert.NotEmpty(error);
        Assert.Throws<FormatException>(() => BlobUri.Parse(url));
    }

    [Theory]
    [InlineData("abfss://lake@retailedge.dfs.core.windows.net/gold/sales_by_day", "https://retailedge.blob.core.windows.net", "lake", "gold/sales_by_day")]
    [InlineData("wasbs://lake@retailedge.blob.core.windows.net/bronze", "https://retailedge.blob.core.windows.net", "lake", "bronze")]
    [InlineData("abfss://lake@retailedge.dfs.core.windows.net", "https://retailedge.blob.core.windows.net", "lake", "")]
    [InlineData("https://retailedge.dfs.core.windows.net/lake/silver/x", "https://retailedge.blob.core.windows.net", "lake", "silver/x")]
    public void Parse_AdlsAndHadoopForms_MapToBlobEndpoint(string url, string service, string container, string path)
    {
        var uri = BlobUri.Parse(url);
        Assert.Equal(new Uri(service), uri.ServiceUri);
        Assert.Equal("retailedge", uri.AccountName);
        Assert.Equal(container, uri.ContainerName);
        Assert.Equal(path, uri.Path);
    }

    [Fact]
    public void Parse_AbfssWithoutContainer_ExplainsTheForm()
    {
        Assert.False(BlobUri.TryParse("abfss://retailedge.dfs.core.windows.net/lake", out _, out var error));
        Assert.Contains("container@account", error, StringComparison.Ordinal);
    }
}
