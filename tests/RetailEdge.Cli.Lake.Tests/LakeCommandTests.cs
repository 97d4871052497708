using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using RetailEdge.Delta;
using RetailEdge.Delta.AzureBlob;
using RetailEdge.Delta.Storage;
using DuckDB.NET.Data;
using RetailEdge.Testing;

namespace RetailEdge.Cli.Lake.Tests;

[Collection(LakeCollection.Name)]
public sealed class LakeCommandTests : IDisposable
{
    private static readonly DeltaSchema Schema = new(
    [
        new DeltaField("id", DeltaType.Long, Nullable: false),
        new DeltaField("name", DeltaType.String),
        new DeltaField("store", DeltaType.String),
    ]);

    private readonly TempDirectory _directory = new("lake-cli");
    private readonly DuckDBConnection _database = DuckDbConnectionExtensions.OpenInMemory();

    public void Dispose()
    {
        _database.Dispose();
        _directory.Dispose();
    }

    private static string Golden(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "delta-golden", name);

    /// <summary>v0 create, v1 three rows in two partitions, v2 one more row.</summary>
    private async Task<string> WriteTableAsync(IDeltaLogStore? store = null)
    {
        var path = _directory.Combine("sales");
        var table = DeltaTable.Open(store ?? new LocalDeltaLogStore(path), _database, options: new DeltaTableOptions { ScratchDirectory = _directory.Path });
        await table.CreateAsync(Schema, ["store"], null, CancellationToken.None);
        using var connection = _database.Connect();
        await table.WriteAsync(connection, "SELECT * FROM (VALUES (2, 'b,with comma', 'S1'), (1, 'a', 'S1'), (3, NULL, 'S2')) v(id, name, store)", null, CancellationToken.None);
        await table.WriteAsync(connection, "SELECT 0 AS id, 'z' AS name, 'S2' AS store", null, CancellationToken.None);
        return path;
    }

    [Fact]
    public async Task Inspect_Json_PrintsVersionSchemaAndCountsFromStats()
    {
        var path = await WriteTableAsync();

        var run = await CliRun.RunAsync("lake", "inspect", path, "--json");

        Assert.Equal(0, run.ExitCode);
        var json = JsonNode.Parse(run.Output)!;
        Assert.Equal(2, (long)json["version"]!);
        Assert.Equal(1, (int)json["minReaderVersion"]!);
        Assert.Equal(2, (int)json["minWriterVersion"]!);
        Assert.Equal("store", (string)json["partitionColumns"]![0]!);
        Assert.Equal("""[{"name":"id","type":"long","nullable":false},{"name":"name","type":"string","nullable":true},{"name":"store","type":"string","nullable":true}]""", json["schema"]!.ToJsonString());
        Assert.Equal(3, (int)json["numFiles"]!);
        Assert.Equal(4, (long)json["numRecords"]!);
    }

    [Fact]
    public async Task Inspect_OldVersion_TimeTravels()
    {
        var path = await WriteTableAsync();

        var run = await CliRun.RunAsync("lake", "inspect", path, "--version", "1", "--json");

        var json = JsonNode.Parse(run.Output)!;
        Assert.Equal(1, (long)json["version"]!);
        Assert.Equal(3, (long)json["numRecords"]!);
    }

    [Fact]
    public async Task Inspect_FilesOnlyInTheLog_PrintsNullRecords()
    {
        var run = await CliRun.RunAsync("lake", "inspect", Golden("checkpoint"), "--json");

        Assert.Equal(0, run.ExitCode);
        var json = JsonNode.Parse(run.Output)!;
        Assert.Equal(14, (long)json["version"]!);
        Assert.Equal(1, (int)json["numFiles"]!);
        Assert.Null(json["numRecords"]);
        Assert.True(((JsonObject)json).ContainsKey("numRecords"));
    }

    [Fact]
    public async Task Inspect_NoStats_CountsByReadingDataFiles()
    {
        var run = await CliRun.RunAsync("lake", "inspect", Golden("data-reader-partition-values"), "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(3, (long)JsonNode.Parse(run.Output)!["numRecords"]!);
    }

    [Fact]
    public async Task Show_Csv_PrintsRowsOrderedWithPartitionColumns()
    {
        var path = await WriteTableAsync();

        var run = await CliRun.RunAsync("lake", "show", path, "--format", "csv");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["id,name,store", "0,z,S2", "1,a,S1", "2,\"b,with comma\",S1", "3,,S2"], run.Output.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')));
    }

    [Fact]
    public async Task Show_JsonWithLimitAndVersion_PrintsThoseRows()
    {
        var path = await WriteTableAsync();

        var run = await CliRun.RunAsync("lake", "show", path, "--format", "json", "--limit", "2", "--version", "1");

        Assert.Equal(0, run.ExitCode);
        var rows = JsonNode.Parse(run.Output)!.AsArray();
        Assert.Equal(2, rows.Count);
        Assert.Equal(1, (long)rows[0]!["id"]!);
        Assert.Equal("S1", (string)rows[0]!["store"]!);
        Assert.Equal("b,with comma", (string)rows[1]!["name"]!);
    }

    [Fact]
    public async Task Show_GoldenTable_ReadsSparkData()
    {
        var run = await CliRun.RunAsync("lake", "show", Golden("snapshot-data1"), "--format", "csv", "--limit", "3");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["col1,col2", "0,data-0-0", "0,data-1-0", "1,data-0-1"], run.Output.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')));
    }

    [Fact]
    public async Task Inspect_DeletionVectorTable_ExitsThreeWithOneLineReason()
    {
        var run = await CliRun.RunAsync("lake", "inspect", Golden("log-replay-dv-key-cases"), "--json");

        Assert.Equal(3, run.ExitCode);
        Assert.Empty(run.Output);
        var line = Assert.Single(run.Error.TrimEnd().Split('\n'));
        Assert.Contains("deletionVectors", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing-folder")]
    [InlineData("not-a-table")]
    public async Task Inspect_NotATable_ExitsTwo(string name)
    {
        Directory.CreateDirectory(_directory.Combine("not-a-table"));

        var run = await CliRun.RunAsync("lake", "inspect", _directory.Combine(name), "--json");

        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.Error.TrimEnd().Split('\n'));
        Assert.StartsWith("error: ", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--version", "99")]
    [InlineData("--version", "-1")]
    [InlineData("--format", "xml")]
    [InlineData("--limit", "many")]
    public async Task Show_BadOption_ExitsTwoWithOneLine(string option, string value)
    {
        var path = await WriteTableAsync();

        var run = await CliRun.RunAsync("lake", "show", path, option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.Error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task History_Json_ListsCommitsNewestFirst()
    {
        var path = await WriteTableAsync();

        var run = await CliRun.RunAsync("lake", "history", path, "--json");

        Assert.Equal(0, run.ExitCode);
        var entries = JsonNode.Parse(run.Output)!.AsArray();
        Assert.Equal([2L, 1L, 0L], entries.Select(e => (long)e!["version"]!));
        Assert.Equal("CREATE TABLE", (string)entries[2]!["operation"]!);
        Assert.Equal("WRITE", (string)entries[0]!["operation"]!);
    }

    [Fact]
    public async Task OptimizeThenVacuum_CompactsAndDeletesOnlyAfterRetention()
    {
        var path = await WriteTableAsync();

        var optimize = await CliRun.RunAsync("lake", "optimize", path);
        var keep = await CliRun.RunAsync("lake", "vacuum", path);
        var dry = await CliRun.RunAsync("lake", "vacuum", path, "--retention-hours", "0", "--dry-run");
        var show = await CliRun.RunAsync("lake", "show", path);

        Assert.Equal(0, optimize.ExitCode);
        Assert.Contains("compacted 2 files into 1", optimize.Output, StringComparison.Ordinal);
        Assert.Equal(0, keep.ExitCode);
        Assert.Contains("0 files deleted", keep.Output, StringComparison.Ordinal);
        // the removed files are tombstones younger than the 7-day deleted-file retention: still protected
        Assert.Contains("0 files to delete", dry.Output, StringComparison.Ordinal);
        Assert.Equal(5, show.Output.TrimEnd().Split('\n').Length);
    }

    [Fact]
    public async Task Inspect_BlobUrl_UsesConnectionStringFromEnvironment()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var container = new BlobContainerClient(azurite.ConnectionString, "lake");
        await container.CreateIfNotExistsAsync();
        await WriteTableAsync(new BlobDeltaLogStore(container, "gold/sales"));
        var previous = Environment.GetEnvironmentVariable(DeltaStoreLocator.ConnectionStringVariable);
        Environment.SetEnvironmentVariable(DeltaStoreLocator.ConnectionStringVariable, azurite.ConnectionString);
        try
        {
            var url = $"{azurite.BlobEndpoint}/lake/gold/sales";
            var inspect = await CliRun.RunAsync("lake", "inspect", url, "--json");
            var show = await CliRun.RunAsync("lake", "show", url, "--limit", "1");

            Assert.Equal(0, inspect.ExitCode);
            Assert.Equal(4, (long)JsonNode.Parse(inspect.Output)!["numRecords"]!);
            Assert.Equal(["id,name,store", "0,z,S2"], show.Output.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')));
            Assert.DoesNotContain(AzuriteServer.AccountKey, inspect.Output + inspect.Error + show.Output + show.Error, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(DeltaStoreLocator.ConnectionStringVariable, previous);
        }
    }
}
