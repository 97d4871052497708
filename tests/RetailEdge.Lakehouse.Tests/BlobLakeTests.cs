using RetailEdge.Delta.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Azure.Storage.Blobs;
using RetailEdge.Contracts.Reference;
using RetailEdge.Lakehouse.Hosting;
using RetailEdge.Testing;

namespace RetailEdge.Lakehouse.Tests;

/// <summary>A lake in an Azurite container (Delta log on blob, Parquet uploaded and downloaded) against the same run in a folder.</summary>
public sealed class BlobLakeTests
{
    [Fact]
    public async Task RunUntilIdleAsync_LakeInAzuriteContainer_SameSilverAndGoldRowsAsFolderLake()
    {
        using var temp = new TempDirectory("lake-blob");
        var routed = temp.Combine("routed", "myhub", "00", "2026", "11", "20", "08");
        Directory.CreateDirectory(routed);
        File.Copy(Path.Combine(RepoPaths.Shared, "data", "iothub-routing", "myhub_00_2026_11_20_08_01.json"), Path.Combine(routed, "01.json"));
        var reference = temp.Combine("reference");
        Directory.CreateDirectory(reference);
        File.WriteAllText(Path.Combine(reference, ReferenceCsv.StoreFile), ReferenceCsv.FormatStores(
            [new StoreReference(17, "Seventeen", "north", "Europe/Berlin", "store017-gw"), new StoreReference(18, "Eighteen", "south", "Europe/Berlin", "store018-gw")]));
        File.WriteAllText(Path.Combine(reference, ReferenceCsv.ItemFile), ReferenceCsv.FormatItems(
            [new ItemReference(1001, "Apples", "produce", 1, 5, "kg", 1.99m, 1.20m), new ItemReference(1002, "Pears", "produce", 1, 5, "kg", 2.49m, 1.50m)]));
        File.WriteAllText(Path.Combine(reference, ReferenceCsv.ChangeTypeFile), ReferenceCsv.FormatChangeTypes(
            [new ChangeTypeReference(1, "sale"), new ChangeTypeReference(2, "return"), new ChangeTypeReference(3, "shrink"), new ChangeTypeReference(4, "receipt"), new ChangeTypeReference(5, "bopis")]));
        await using var azurite = await AzuriteServer.StartAsync();
        await new BlobContainerClient(azurite.ConnectionString, "lake").CreateIfNotExistsAsync();
        var env = new Dictionary<string, string?> { [LakeLocations.LakeConnectionStringVariable] = azurite.ConnectionString };

        using var folderLake = new LakeContext(LakeLocations.OpenLake(temp.Combine("lake")), TimeProvider.System, temp.Combine("scratch-folder"));
        var blobStores = LakeLocations.OpenLake(azurite.BlobEndpoint + "/lake/prod", env.GetValueOrDefault);
        using var blobLake = new LakeContext(blobStores, TimeProvider.System, temp.Combine("scratch-blob"));
        foreach (var lake in new[] { folderLake, blobLake })
        {
            await new ReferenceLoader(lake).LoadAsync(reference, CancellationToken.None);
            await new LakehousePipeline(lake, new FolderTelemetrySource(temp.Combine("routed")), NullLoggerFactory.Instance).RunUntilIdleAsync(CancellationToken.None);
        }

        Assert.IsType<BlobLakeStoreFactory>(blobStores);
        Assert.StartsWith(azurite.BlobEndpoint + "/lake/prod/", blobLake.Table(LakeTables.Batch).Store.Location, StringComparison.Ordinal);
        using var folder = folderLake.Connect();
        using var blob = blobLake.Connect();
        var compared = 0;
        var goldRows = 0;
        foreach (var table in LakeTables.SilverTables.Concat(LakeTables.GoldTables))
        {
            var inFolder = await LakeAssertions.ViewAsync(folderLake, folder, table, "t");
            var inBlob = await LakeAssertions.ViewAsync(blobLake, blob, table, "t");
            Assert.Equal(inFolder, inBlob);
            // the blob lake's rows are read through downloaded Parquet; compare them inside one DuckDB
            var local = temp.Combine("cmp-" + table.Name + ".parquet");
            blob.Execute($"COPY (SELECT * FROM t) TO '{local}' (FORMAT parquet)");
            folder.Execute($"CREATE OR REPLACE TEMP VIEW b AS SELECT * FROM read_parquet('{local}')");
            folder.Execute("CREATE OR REPLACE TEMP VIEW f AS SELECT * FROM t");
            Assert.Null(LakeAssertions.Difference(folder, "b", "f"));
            var rows = (int)LakeAssertions.Count(folder, "SELECT * FROM f");
            compared += rows;
            goldRows += LakeTables.GoldTables.Contains(table) ? rows : 0;
            blob.Execute("DROP VIEW t");
            folder.Execute("DROP VIEW t");
        }
        Assert.True(compared > 5, $"only {compared} rows compared");
        Assert.True(goldRows > 0, "no gold rows compared");
        Assert.DoesNotContain(Directory.EnumerateFiles(temp.Path, "*", SearchOption.AllDirectories), f => f.Contains("/prod/", StringComparison.Ordinal));
    }
}
