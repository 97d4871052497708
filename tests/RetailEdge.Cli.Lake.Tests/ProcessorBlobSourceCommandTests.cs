using Azure.Storage.Blobs;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;
using RetailEdge.Testing;

namespace RetailEdge.Cli.Lake.Tests;

/// <summary>`retailedge processor run` and `reference load` with blob locations given as the emulator's path-style URLs.</summary>
[Collection(LakeCollection.Name)]
public sealed class ProcessorBlobSourceCommandTests
{
    [Fact]
    public async Task ProcessorRunOnce_PathStyleSourceAndLakeUrls_LandsFromTheNamedContainer()
    {
        using var temp = new TempDirectory("cli-blob-source");
        await using var azurite = await AzuriteServer.StartAsync();
        var admin = new BlobServiceClient(azurite.ConnectionString);
        await admin.GetBlobContainerClient("routed").CreateIfNotExistsAsync();
        await admin.GetBlobContainerClient("lake").CreateIfNotExistsAsync();
        await admin.GetBlobContainerClient("routed").GetBlobClient("pre/myhub/00/2026/11/20/08/01.json").UploadAsync(
            BinaryData.FromBytes(await File.ReadAllBytesAsync(Path.Combine(RepoPaths.Shared, "data", "iothub-routing", "myhub_00_2026_11_20_08_01.json"))));
        string[] variables = [LakeLocations.SourceConnectionStringVariable, LakeLocations.LakeConnectionStringVariable];
        var previous = variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
        foreach (var variable in variables)
        {
            Environment.SetEnvironmentVariable(variable, azurite.ConnectionString);
        }
        try
        {
            var run = await CliRun.RunAsync("processor", "run", "--once", "--source", azurite.BlobEndpoint + "/routed/pre", "--lake", azurite.BlobEndpoint + "/lake/prod");

            Assert.True(run.ExitCode == 0, run.Error);
            Assert.Contains("landed 1 files", run.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(AzuriteServer.AccountKey, run.Output + run.Error, StringComparison.Ordinal);
            var inspect = await CliRun.RunAsync("lake", "inspect", azurite.BlobEndpoint + "/lake/prod/bronze/telemetry", "--json");
            Assert.True(inspect.ExitCode == 0, inspect.Error);
        }
        finally
        {
            foreach (var (name, value) in previous)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    [Fact]
    public async Task ReferenceLoad_UrlWithSas_RefusedWithoutEchoingIt()
    {
        var run = await CliRun.RunAsync("reference", "load", "--from", "/nonexistent", "--lake", "https://acct.blob.core.windows.net/lake?sv=1&sig=SECRETSIG");

        Assert.Equal(CliApp.UsageError, run.ExitCode);
        Assert.Contains("must not carry a query (a SAS token)", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETSIG", run.Error, StringComparison.Ordinal);
    }
}
