using System.Text;
using Azure.Storage.Blobs;
using RetailEdge.Delta.AzureBlob;
using RetailEdge.Testing;

namespace RetailEdge.Delta.Tests.Blob;

/// <summary>The log store's guarantees on a real Azurite: put-if-absent with one winner, data files never overwritten, listings complete.</summary>
public sealed class BlobDeltaLogStoreTests : IClassFixture<AzuriteFixture>
{
    private const string Commit = "_delta_log/00000000000000000003.json";
    private readonly AzuriteFixture _azurite;

    public BlobDeltaLogStoreTests(AzuriteFixture azurite)
    {
        _azurite = azurite;
    }

    [Fact]
    public async Task TryCreateAsync_Twice_SecondWriterLosesAndFirstContentStays()
    {
        var store = new BlobDeltaLogStore(await _azurite.NewContainerAsync(), "silver/t");

        Assert.True(await store.TryCreateAsync(Commit, "first"u8.ToArray(), CancellationToken.None));
        Assert.False(await store.TryCreateAsync(Commit, "second"u8.ToArray(), CancellationToken.None));
        // the same bytes again are our own retried request that landed: not a lost race
        Assert.True(await store.TryCreateAsync(Commit, "first"u8.ToArray(), CancellationToken.None));

        Assert.Equal("first"u8.ToArray(), await store.ReadAsync(Commit, CancellationToken.None));
    }

    [Fact]
    public async Task TryCreateAsync_EightRacersPerVersion_ExactlyOneWinsAndItsContentStays()
    {
        var container = await _azurite.NewContainerAsync();
        const int racers = 8;
        for (var version = 0; version < 10; version++)
        {
            var path = $"_delta_log/{version:D20}.json";
            using var start = new Barrier(racers);
            var outcomes = await Task.WhenAll(Enumerable.Range(0, racers).Select(r => Task.Factory.StartNew(() =>
            {
                var store = new BlobDeltaLogStore(container, "t");
                start.SignalAndWait();
                return (Racer: r, Won: store.TryCreateAsync(path, Encoding.UTF8.GetBytes($"racer {r}"), CancellationToken.None).GetAwaiter().GetResult());
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));

            var winner = Assert.Single(outcomes, o => o.Won);
            Assert.Equal($"racer {winner.Racer}", Encoding.UTF8.GetString((await new BlobDeltaLogStore(container, "t").ReadAsync(path, CancellationToken.None))!));
        }
    }

    [Fact]
    public async Task UploadAsync_ExistingDataFile_RefusedAndOriginalKept()
    {
        using var temp = new TempDirectory("blob-upload");
        var store = new BlobDeltaLogStore(await _azurite.NewContainerAsync(), "gold/t");
        var file = temp.Combine("part-0.parquet");
        await File.WriteAllBytesAsync(file, new byte[300_000]);
        await store.UploadAsync(file, "date=2026-11-21/part-0.parquet", CancellationToken.None);
        await File.WriteAllTextAsync(file, "other writer");

        var error = await Assert.ThrowsAsync<IOException>(() => store.UploadAsync(file, "date=2026-11-21/part-0.parquet", CancellationToken.None));

        Assert.Contains("never overwritten", error.Message, StringComparison.Ordinal);
        var back = temp.Combine("back.parquet");
        Assert.True(await store.DownloadAsync("date=2026-11-21/part-0.parquet", back, CancellationToken.None));
        Assert.Equal(new byte[300_000], await File.ReadAllBytesAsync(back));
    }

    [Fact]
    public async Task DownloadAndRead_Missing_FalseAndNullWithoutLeavingAFile()
    {
        using var temp = new TempDirectory("blob-missing");
        var store = new BlobDeltaLogStore(await _azurite.NewContainerAsync(), "t");

        Assert.False(await store.DownloadAsync("part-9.parquet", temp.Combine("x.parquet"), CancellationToken.None));
        Assert.Null(await store.ReadAsync(Commit, CancellationToken.None));
        Assert.False(File.Exists(temp.Combine("x.parquet")));
        await store.DeleteAsync("part-9.parquet", CancellationToken.None); // already gone: no error
    }

    [Fact]
    public async Task ListAsync_PartitionValuesWithSpacesEqualsAndSymbols_ListedUnderTheTableOnly()
    {
        var container = await _azurite.NewContainerAsync();
        var store = new BlobDeltaLogStore(container, "silver/sale s");
        string[] names =
        [
            "event_date=2026-11-21/part 1.parquet",
            "event_date=2026-11-21/part+2&x=%41.parquet",
            "event_date=2026-11-22/part-1.parquet",
        ];
        foreach (var name in names)
        {
            await store.WriteAsync(name, Encoding.UTF8.GetBytes(name), CancellationToken.None);
        }
        await new BlobDeltaLogStore(container, "silver/sales").WriteAsync("event_date=2026-11-21/other.parquet", new byte[] { 1 }, CancellationToken.None);

        var day = await store.ListAsync("event_date=2026-11-21/", CancellationToken.None);
        var all = await store.ListAsync(string.Empty, CancellationToken.None);

        Assert.Equal(names[..2].Order(StringComparer.Ordinal), day.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Equal(names.Order(StringComparer.Ordinal), all.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.All(all, e => Assert.Equal(Encoding.UTF8.GetByteCount(e.Path), e.Size));
        Assert.Equal(Encoding.UTF8.GetBytes(names[1]), await store.ReadAsync(names[1], CancellationToken.None));
    }
}
