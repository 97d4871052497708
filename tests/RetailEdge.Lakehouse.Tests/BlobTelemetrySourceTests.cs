using Microsoft.Extensions.Logging.Abstractions;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Lakehouse.Hosting;
using RetailEdge.Testing;

namespace RetailEdge.Lakehouse.Tests;

/// <summary>Routed blobs in a real Azurite container; partition ownership through real blob leases.</summary>
public sealed class BlobTelemetrySourceTests
{
    private static readonly DateTimeOffset Enqueued = new(2026, 11, 20, 8, 1, 0, TimeSpan.Zero);

    [Fact]
    public async Task ListAsync_TwoProcessorsShareAHub_EachPartitionOwnedByOneUntilReleased()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var container = await RoutingContainerAsync(azurite);
        await PutBatchAsync(container, 0, 1);
        await PutBatchAsync(container, 1, 2);
        var first = new BlobTelemetrySource(container);
        var second = new BlobTelemetrySource(new BlobContainerClient(azurite.ConnectionString, "routing"));

        var firstFiles = await first.ListAsync(CancellationToken.None);
        var secondFiles = await second.ListAsync(CancellationToken.None);

        Assert.Equal(["hub/00/2026/11/20/08/01.json", "hub/01/2026/11/20/08/01.json"], firstFiles.Select(f => f.Name));
        Assert.Empty(secondFiles);
        Assert.Equal(["hub/00", "hub/01"], first.OwnedPartitions.Order(StringComparer.Ordinal));

        await first.ReleaseAsync(CancellationToken.None);
        secondFiles = await second.ListAsync(CancellationToken.None);

        Assert.Equal(2, secondFiles.Count);
        Assert.Empty(await first.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task RunUntilIdle_BlobSource_LandsEveryRoutedBlobOnce()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var container = await RoutingContainerAsync(azurite);
        await PutBatchAsync(container, 0, 1);
        await PutBatchAsync(container, 1, 2);
        await container.UploadBlobAsync("hub/01/2026/11/20/08/02.json", BinaryData.Empty);
        using var temp = new TempDirectory("lake-blob");
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Path), TimeProvider.System);
        var pipeline = new LakehousePipeline(lake, new BlobTelemetrySource(container), NullLoggerFactory.Instance);

        await pipeline.RunUntilIdleAsync(CancellationToken.None);
        await PutBatchAsync(container, 0, 3, minute: 0); // late blob in an earlier minute
        await pipeline.RunUntilIdleAsync(CancellationToken.None);

        using var connection = lake.Connect();
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.BronzeTelemetry, "bronze");
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.Batch, "batches");
        Assert.Equal(3, LakeAssertions.Count(connection, "SELECT * FROM bronze"));
        Assert.Equal(3, LakeAssertions.Count(connection, "SELECT DISTINCT seq FROM batches"));
        Assert.Equal(4, (await LandedSources.ReadAsync(lake, lake.Table(LakeTables.BronzeTelemetry),
            await lake.Table(LakeTables.BronzeTelemetry).TryLoadAsync(CancellationToken.None), CancellationToken.None)).Names.Count);
    }

    [Fact]
    public async Task ListAsync_MorePagesThanOne_FollowsContinuationAndListsEveryBlobOnce()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var container = await RoutingContainerAsync(azurite);
        var expected = new List<string>();
        for (var minute = 0; minute < 7; minute++)
        {
            await PutBatchAsync(container, minute % 2, minute + 1, minute);
            expected.Add($"hub/{minute % 2:D2}/2026/11/20/08/{minute:D2}.json");
        }
        // 7 routed blobs and, from the second listing on, 2 lease blobs: pages of 2 need several continuations
        var source = new BlobTelemetrySource(container, listPageSize: 2);

        var first = await source.ListAsync(CancellationToken.None);
        var second = await source.ListAsync(CancellationToken.None);

        Assert.Equal(expected.Order(StringComparer.Ordinal), first.Select(f => f.Name));
        Assert.Equal(expected.Order(StringComparer.Ordinal), second.Select(f => f.Name));
    }

    [Fact]
    public async Task ListAsync_LeaseBrokenByAnother_OwnerDropsThePartitionAndTheOtherTakesIt()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var container = await RoutingContainerAsync(azurite);
        await PutBatchAsync(container, 0, 1);
        var first = new BlobTelemetrySource(container);
        var second = new BlobTelemetrySource(container);
        Assert.Single(await first.ListAsync(CancellationToken.None));

        // an operator (or an expired lease) ends the first owner's lease: the service now refuses its renewal
        await container.GetBlobClient("_ownership/hub/00.lease").GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
        Assert.Single(await second.ListAsync(CancellationToken.None));

        Assert.Empty(await first.ListAsync(CancellationToken.None));
        Assert.Empty(first.OwnedPartitions);
        Assert.Equal(["hub/00"], second.OwnedPartitions);
    }

    private static async Task<BlobContainerClient> RoutingContainerAsync(AzuriteServer azurite)
    {
        var container = new BlobContainerClient(azurite.ConnectionString, "routing");
        await container.CreateIfNotExistsAsync();
        return container;
    }

    private static Task<Azure.Response<Azure.Storage.Blobs.Models.BlobContentInfo>> PutBatchAsync(BlobContainerClient container, int partition, long seq, int minute = 1)
    {
        var batch = new TelemetryBatch
        {
            StoreId = 3,
            Gateway = "store003-gw",
            Seq = seq,
            CreatedAt = Enqueued,
            Items = [new ItemWindowRow(Enqueued, 1001, "sale", "store", 1, 1, 2.50m, 0)],
        };
        return container.UploadBlobAsync($"hub/{partition:D2}/2026/11/20/08/{minute:D2}.json", BinaryData.FromBytes(RoutedRecordWriter.Format(batch, batch.Gateway, batch.Module, Enqueued, gzip: true)));
    }
}
