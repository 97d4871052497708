using Azure.Storage.Blobs;
using RetailEdge.Testing;

namespace RetailEdge.Cli.Lake.Tests;

/// <summary>`retailedge lake` on a blob table the storage refuses or cannot be reached: exit 2 and one line, never the SAS.</summary>
[Collection(LakeCollection.Name)]
public sealed class LakeStorageErrorTests
{
    [Fact]
    public async Task Inspect_StorageRefusesTheSas_OneLineWithStatusAndCode()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        await new BlobContainerClient(azurite.ConnectionString, "lake").CreateIfNotExistsAsync();

        var run = await CliRun.RunAsync("lake", "inspect", $"{azurite.BlobEndpoint}/lake/gold/sales?sv=2020-08-04&ss=b&srt=sco&sp=rl&se=2030-01-01T00%3A00%3A00Z&sig=Zm9yZ2Vk", "--json");

        Assert.Equal(CliApp.UsageError, run.ExitCode);
        Assert.StartsWith("error: storage: 403 ", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.TrimEnd().Split('\n'));
        Assert.DoesNotContain("Zm9yZ2Vk", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_NothingListening_UnreachableAfterTheRetries()
    {
        var port = FreePort.Next();

        var run = await CliRun.RunAsync("lake", "inspect", $"http://127.0.0.1:{port}/devstoreaccount1/lake/gold/sales?sv=2020-08-04&sig=Zm9yZ2Vk", "--json");

        Assert.Equal(CliApp.UsageError, run.ExitCode);
        Assert.StartsWith("error: storage unreachable: ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Zm9yZ2Vk", run.Error, StringComparison.Ordinal);
    }
}
