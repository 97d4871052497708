using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;
using RetailEdge.Processor;

namespace RetailEdge.Processor.Tests;

public sealed class ProcessorOptionsTests
{
    [Fact]
    public void FromEnvironment_AllSet_ParsesEverySetting()
    {
        var env = new Dictionary<string, string>
        {
            ["RETAILEDGE_SOURCE"] = "/data/routed",
            ["RETAILEDGE_LAKE"] = "/data/lake",
            ["RETAILEDGE_POLL_SECONDS"] = "5",
            ["RETAILEDGE_ONCE"] = "true",
            ["RETAILEDGE_LANDER_MAX_FILES"] = "3",
        };

        var options = ProcessorOptions.FromEnvironment(env.GetValueOrDefault);

        Assert.Equal("/data/routed", options.Source);
        Assert.Equal(TimeSpan.FromSeconds(5), options.PollInterval);
        Assert.True(options.Once);
        Assert.Equal(3, options.LanderMaxFilesPerCommit);
        Assert.Equal(20, options.RefinerMaxBronzeCommits);
        Assert.Null(options.IotHubEndpoint);
        Assert.Equal(TimeSpan.FromMinutes(15), options.StaleAfter);
    }

    [Fact]
    public void FromEnvironment_IotHubEndpointAndStaleMinutes_Parsed()
    {
        var env = new Dictionary<string, string>
        {
            ["RETAILEDGE_SOURCE"] = "/s",
            ["RETAILEDGE_LAKE"] = "/l",
            ["RETAILEDGE_IOTHUB_ENDPOINT"] = "http://127.0.0.1:5080/",
            ["RETAILEDGE_STALE_MINUTES"] = "7",
        };

        var options = ProcessorOptions.FromEnvironment(env.GetValueOrDefault);

        Assert.Equal(new Uri("http://127.0.0.1:5080/"), options.IotHubEndpoint);
        Assert.Equal(TimeSpan.FromMinutes(7), options.StaleAfter);
        Assert.True(options.PublishReferenceData);
        Assert.Equal(TimeSpan.FromDays(7), options.ReferenceUrlLifetime);
    }

    [Fact]
    public void FromEnvironment_ReferencePublishingSettings_Parsed()
    {
        var env = new Dictionary<string, string> { ["RETAILEDGE_SOURCE"] = "/s", ["RETAILEDGE_LAKE"] = "/l", ["RETAILEDGE_PUBLISH_REFERENCE"] = "false", ["RETAILEDGE_REFERENCE_URL_HOURS"] = "12" };

        var options = ProcessorOptions.FromEnvironment(env.GetValueOrDefault);

        Assert.False(options.PublishReferenceData);
        Assert.Equal(TimeSpan.FromHours(12), options.ReferenceUrlLifetime);
    }

    [Theory]
    [InlineData(null, null, StorageAuthMode.AzureIdentity)]
    [InlineData(null, "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net", StorageAuthMode.ConnectionString)]
    [InlineData("azure-identity", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net", StorageAuthMode.AzureIdentity)]
    [InlineData("connection-string", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net", StorageAuthMode.ConnectionString)]
    public void FromEnvironment_BlobLake_AuthChosenFromEnvironment(string? mode, string? connectionString, StorageAuthMode expected)
    {
        var env = new Dictionary<string, string?>
        {
            ["RETAILEDGE_SOURCE"] = "/data/routed",
            ["RETAILEDGE_LAKE"] = "abfss://lake@acct.dfs.core.windows.net/prod",
            ["RETAILEDGE_STORAGE_AUTH"] = mode,
            ["RETAILEDGE_LAKE_CONNECTION_STRING"] = connectionString,
        };

        var options = ProcessorOptions.FromEnvironment(env.GetValueOrDefault);

        Assert.Null(options.SourceBlob);
        Assert.Equal(expected, options.LakeBlob!.Auth);
        Assert.Equal("https://acct.blob.core.windows.net/lake/prod", options.LakeBlob.Uri.ToString());
        Assert.DoesNotContain("a2V5", options.LakeBlob.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RETAILEDGE_STORAGE_AUTH", "AccountKey=SECRET", "RETAILEDGE_STORAGE_AUTH must be auto, connection-string or azure-identity")]
    [InlineData("RETAILEDGE_LAKE", "https://acct.blob.core.windows.net/lake?sv=1&sig=SECRET", "RETAILEDGE_LAKE: a blob lake URL must not carry a query (a SAS token)")]
    [InlineData("RETAILEDGE_LAKE", "abfss://acct.dfs.core.windows.net/lake", "RETAILEDGE_LAKE: 'abfss://acct.dfs.core.windows.net/lake' is not a blob container URL")]
    [InlineData("RETAILEDGE_SOURCE", "https://acct.blob.core.windows.net", "RETAILEDGE_SOURCE: a blob source URL must name a container")]
    [InlineData("RETAILEDGE_IOTHUB_HOST_NAME", "https://myhub.azure-devices.net/", "RETAILEDGE_IOTHUB_HOST_NAME must be a host name")]
    public void FromEnvironment_BadStorageOrHubSetting_NamesTheSettingWithoutSecrets(string name, string value, string expected)
    {
        var env = new Dictionary<string, string?> { ["RETAILEDGE_SOURCE"] = "/s", ["RETAILEDGE_LAKE"] = "/l", [name] = value };

        var error = Assert.Throws<InvalidOperationException>(() => ProcessorOptions.FromEnvironment(env.GetValueOrDefault));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_ConnectionStringModeWithoutLakeConnectionString_SaysWhichVariable()
    {
        var env = new Dictionary<string, string?>
        {
            ["RETAILEDGE_SOURCE"] = "/s",
            ["RETAILEDGE_LAKE"] = "https://acct.blob.core.windows.net/lake",
            ["RETAILEDGE_STORAGE_AUTH"] = "connection-string",
            ["RETAILEDGE_SOURCE_CONNECTION_STRING"] = "AccountName=acct;AccountKey=a2V5",
        };

        var error = Assert.Throws<InvalidOperationException>(() => ProcessorOptions.FromEnvironment(env.GetValueOrDefault));

        Assert.Equal("RETAILEDGE_LAKE: a blob lake with RETAILEDGE_STORAGE_AUTH=connection-string needs the storage connection string in RETAILEDGE_LAKE_CONNECTION_STRING", error.Message);
    }

    [Fact]
    public void FromEnvironment_HubConnectionStringAndHostName_Refused()
    {
        var env = new Dictionary<string, string?>
        {
            ["RETAILEDGE_SOURCE"] = "/s",
            ["RETAILEDGE_LAKE"] = "/l",
            ["RETAILEDGE_IOTHUB_CONNECTION_STRING"] = "HostName=h.azure-devices.net;SharedAccessKeyName=service;SharedAccessKey=SECRET",
            ["RETAILEDGE_IOTHUB_HOST_NAME"] = "h.azure-devices.net",
        };

        var error = Assert.Throws<InvalidOperationException>(() => ProcessorOptions.FromEnvironment(env.GetValueOrDefault));

        Assert.Contains("are both set", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RETAILEDGE_LAKE", null, "RETAILEDGE_LAKE is not set")]
    [InlineData("RETAILEDGE_POLL_SECONDS", "0", "RETAILEDGE_POLL_SECONDS must be an integer ≥ 1")]
    [InlineData("RETAILEDGE_POLL_SECONDS", "ten", "RETAILEDGE_POLL_SECONDS must be an integer ≥ 1")]
    [InlineData("RETAILEDGE_ONCE", "yes", "RETAILEDGE_ONCE must be true or false")]
    [InlineData("RETAILEDGE_IOTHUB_ENDPOINT", "ftp://127.0.0.1/", "RETAILEDGE_IOTHUB_ENDPOINT must be an absolute http(s) URL")]
    [InlineData("RETAILEDGE_STALE_MINUTES", "0", "RETAILEDGE_STALE_MINUTES must be an integer ≥ 1")]
    [InlineData("RETAILEDGE_PUBLISH_REFERENCE", "sometimes", "RETAILEDGE_PUBLISH_REFERENCE must be true or false")]
    [InlineData("RETAILEDGE_REFERENCE_URL_HOURS", "169", "RETAILEDGE_REFERENCE_URL_HOURS must be at most 168")]
    [InlineData("RETAILEDGE_REFERENCE_URL_HOURS", "0", "RETAILEDGE_REFERENCE_URL_HOURS must be an integer ≥ 1")]
    public void FromEnvironment_BadSetting_NamesTheSetting(string name, string? value, string expected)
    {
        var env = new Dictionary<string, string?> { ["RETAILEDGE_SOURCE"] = "/s", ["RETAILEDGE_LAKE"] = "/l", [name] = value };

        var error = Assert.Throws<InvalidOperationException>(() => ProcessorOptions.FromEnvironment(env.GetValueOrDefault));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
