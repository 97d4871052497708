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
    }

    [Theory]
    [InlineData("RETAILEDGE_LAKE", null, "RETAILEDGE_LAKE is not set")]
    [InlineData("RETAILEDGE_POLL_SECONDS", "0", "RETAILEDGE_POLL_SECONDS must be an integer ≥ 1")]
    [InlineData("RETAILEDGE_POLL_SECONDS", "ten", "RETAILEDGE_POLL_SECONDS must be an integer ≥ 1")]
    [InlineData("RETAILEDGE_ONCE", "yes", "RETAILEDGE_ONCE must be true or false")]
    [InlineData("RETAILEDGE_IOTHUB_ENDPOINT", "ftp://127.0.0.1/", "RETAILEDGE_IOTHUB_ENDPOINT must be an absolute http(s) URL")]
    [InlineData("RETAILEDGE_STALE_MINUTES", "0", "RETAILEDGE_STALE_MINUTES must be an integer ≥ 1")]
    public void FromEnvironment_BadSetting_NamesTheSetting(string name, string? value, string expected)
    {
        var env = new Dictionary<string, string?> { ["RETAILEDGE_SOURCE"] = "/s", ["RETAILEDGE_LAKE"] = "/l", [name] = value };

        var error = Assert.Throws<InvalidOperationException>(() => ProcessorOptions.FromEnvironment(env.GetValueOrDefault));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
