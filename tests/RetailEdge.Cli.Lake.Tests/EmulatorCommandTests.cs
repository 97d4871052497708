namespace RetailEdge.Cli.Lake.Tests;

/// <summary>Secrets never come from the command line: the emulator's routing URL refuses a SAS query.</summary>
[Collection(LakeCollection.Name)]
public sealed class EmulatorCommandTests
{
    [Fact]
    public async Task Run_RoutingUrlWithSasQuery_UsageErrorWithoutEchoingTheSignature()
    {
        var run = await CliRun.RunAsync("emulator", "run", "--registry", Path.Combine(Path.GetTempPath(), "never-created.json"), "--hub-name", "devhub",
            "--routing", "http://127.0.0.1:1/devstoreaccount1/routed?sv=2024-01-01&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D");

        Assert.Equal(CliApp.UsageError, run.ExitCode);
        Assert.Contains("RETAILEDGE_ROUTING_ACCOUNT_KEY", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0LXNpZ25hdHVyZQ", run.Error + run.Output, StringComparison.Ordinal);
    }
}
