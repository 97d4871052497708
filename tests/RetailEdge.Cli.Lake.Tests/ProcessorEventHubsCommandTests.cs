namespace RetailEdge.Cli.Lake.Tests;

/// <summary>`processor run --source eventhubs`: settings that cannot work are refused at start with exit code 2, never echoing a key.</summary>
public sealed class ProcessorEventHubsCommandTests
{
    private const string Key = "U0VDUkVUS0VZLWV2ZW50aHVicw==";

    [Fact]
    public async Task Run_ConnectionStringOnTheCommandLine_RefusedWithoutEchoingIt()
    {
        var run = await CliRun.RunAsync("processor", "run", "--source", "eventhubs", "--lake", "/tmp/lake",
            "--eventhubs-connection-string", $"Endpoint=sb://127.0.0.1:5671/;SharedAccessKeyName=service;SharedAccessKey={Key};EntityPath=hub",
            "--checkpoint-store", "http://127.0.0.1:10000/devstoreaccount1/checkpoints");

        Assert.Equal(CliApp.UsageError, run.ExitCode);
        Assert.Contains("--eventhubs-connection-string takes the path of a file", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, run.Error + run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--once", "--once reads routed files")]
    [InlineData("--eventhubs-namespace", "not both")]
    public async Task Run_ConflictingOptions_Refused(string option, string expected)
    {
        var secretFile = Path.Combine(Path.GetTempPath(), "ehcs-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(secretFile, $"Endpoint=sb://127.0.0.1:5671/;SharedAccessKeyName=service;SharedAccessKey={Key};EntityPath=hub");
        try
        {
            string[] args = ["processor", "run", "--source", "eventhubs", "--lake", "/tmp/lake", "--eventhubs-connection-string", secretFile,
                "--checkpoint-store", "http://127.0.0.1:10000/devstoreaccount1/checkpoints", option];
            var run = await CliRun.RunAsync(option == "--eventhubs-namespace" ? [.. args, "ns.servicebus.windows.net"] : args);

            Assert.Equal(CliApp.UsageError, run.ExitCode);
            Assert.Contains(expected, run.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(Key, run.Error + run.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(secretFile);
        }
    }

    [Fact]
    public async Task Run_NoCheckpointStore_RefusedNamingTheOption()
    {
        var run = await CliRun.RunAsync("processor", "run", "--source", "eventhubs", "--lake", "/tmp/lake",
            "--eventhubs-namespace", "ns.servicebus.windows.net", "--eventhub", "hub");

        Assert.Equal(CliApp.UsageError, run.ExitCode);
        Assert.Contains("--checkpoint-store", run.Error, StringComparison.Ordinal);
    }
}
