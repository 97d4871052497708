using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace RetailEdge.BlobStorage.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class BlobContainerClientTests : IAsyncLifetime, IDisposable
{
    private readonly AzuriteFixture _azurite;
    private readonly CapturingLogger<BlobStorageClient> _log = new();
    private readonly BlobStorageClient _client;
    private readonly BlobContainerClient _container;

    public BlobContainerClientTests(AzuriteFixture azurite)
    {
        _azurite = azurite;
        _client = new BlobStorageClient(azurite.SharedKeyOptions() with
        {
            SingleUploadThreshold = 512 * 1024,
            BlockSize = 256 * 1024,
        }, logger: _log);
        _container = _client.GetContainerClient(AzuriteFixture.NewContainerName());
    }

    public async Task InitializeAsync() => Assert.True(await _container.CreateIfNotExistsAsync());

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task CreateIfNotExists_Existing_ReturnsFalse()
    {
        Assert.False(await _container.CreateIfNotExistsAsync());
    }

    [Fact]
    public async Task DeleteIfExists_Container_TrueThenFalse()
    {
        var other = _client.GetContainerClient(AzuriteFixture.NewContainerName());
        Assert.False(await other.DeleteIfExistsAsync());
        Assert.True(await other.CreateIfNotExistsAsync());
        Assert.True(await other.DeleteIfExistsAsync());
    }

    [Fact]
    public async Task PutBlob_ThenDownload_ReturnsBytesPropertiesAndMetadata()
    {
        var content = Encoding.UTF8.GetBytes("{\"hello\":\"lake\"}\n");
        var written = await _container.PutBlobAsync("dir/a.json", content, new BlobUploadOptions
        {
            ContentType = "application/json",
            Metadata = new Dictionary<string, string> { ["source"] = "test", ["rows"] = "1" },
        });
        Assert.NotEmpty(written.ETag);

        var download = await _container.DownloadAsync("dir/a.json");
        Assert.Equal(content, download.Content.ToArray());
        Assert.Equal(written.ETag, download.Properties.ETag);
        Assert.Equal(content.Length, download.TotalLength);
        Assert.Equal("application/json", download.Properties.ContentType);
        Assert.Equal("test", download.Properties.Metadata["source"]);

        var properties = await _container.GetPropertiesAsync("dir/a.json");
        Assert.Equal(content.Length, properties.ContentLength);
        Assert.Equal("BlockBlob", properties.BlobType);
        Assert.Equal("1", properties.Metadata["rows"]);
        Assert.True(await _container.ExistsAsync("dir/a.json"));
        Assert.False(await _container.ExistsAsync("dir/missing.json"));
    }

    [Fact]
    public async Task PutBlob_IfNotExistsTwice_SecondIsBlobAlreadyExistsAndFirstContentKept()
    {
        await _container.PutBlobAsync("_delta_log/00000000000000000000.json", "first"u8.ToArray(), new BlobUploadOptions { Conditions = BlobRequestConditions.IfNotExists });
        var error = await Assert.ThrowsAsync<BlobAlreadyExistsException>(() =>
            _container.PutBlobAsync("_delta_log/00000000000000000000.json", "second"u8.ToArray(), new BlobUploadOptions { Conditions = BlobRequestConditions.IfNotExists }));
        Assert.Equal(HttpStatusCode.Conflict, error.Status);
        Assert.Equal(BlobErrorCodes.BlobAlreadyExists, error.ErrorCode);
        Assert.True(error.IsConditionFailure);

        Assert.Null(await _container.TryPutBlobIfNotExistsAsync("_delta_log/00000000000000000000.json", "third"u8.ToArray()));
        Assert.NotNull(await _container.TryPutBlobIfNotExistsAsync("_delta_log/00000000000000000001.json", "next"u8.ToArray()));
        Assert.Equal("first", Encoding.UTF8.GetString((await _container.DownloadAsync("_delta_log/00000000000000000000.json")).Content.Span));
    }

    [Fact]
    public async Task PutBlob_ConcurrentCreateOnly_ExactlyOneWins()
    {
        var attempts = Enumerable.Range(0, 8).Select(i => _container.TryPutBlobIfNotExistsAsync("race.json", Encoding.UTF8.GetBytes("writer " + i))).ToArray();
        var results = await Task.WhenAll(attempts);
        Assert.Single(results, r => r is not null);
    }

    [Fact]
    public async Task PutBlob_IfMatch_StaleETagFails412CurrentSucceeds()
    {
        var first = await _container.PutBlobAsync("state.json", "v1"u8.ToArray());
        var second = await _container.PutBlobAsync("state.json", "v2"u8.ToArray(), new BlobUploadOptions { Conditions = BlobRequestConditions.IfMatchETag(first.ETag) });
        var error = await Assert.ThrowsAsync<BlobStorageException>(() =>
            _container.PutBlobAsync("state.json", "v3"u8.ToArray(), new BlobUploadOptions { Conditions = BlobRequestConditions.IfMatchETag(first.ETag) }));
        Assert.IsNotType<BlobAlreadyExistsException>(error);
        Assert.Equal(HttpStatusCode.PreconditionFailed, error.Status);
        Assert.Equal(BlobErrorCodes.ConditionNotMet, error.ErrorCode);
        Assert.Equal("v2", Encoding.UTF8.GetString((await _container.DownloadAsync("state.json", conditions: BlobRequestConditions.IfMatchETag(second.ETag))).Content.Span));
    }

    [Fact]
    public async Task Upload_MultiMegabyteStream_UsesBlocksAndRoundTrips()
    {
        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 12345);
        using var stream = new NonSeekableStream(content);
        var written = await _container.UploadAsync("big/part-0001.parquet", stream, new BlobUploadOptions { ContentType = "application/octet-stream" });

        Assert.Contains(_log.Lines, l => l.Contains("big/part-0001.parquet: 13 blocks", StringComparison.Ordinal));
        var download = await _container.DownloadAsync("big/part-0001.parquet");
        Assert.Equal(written.ETag, download.Properties.ETag);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(download.Content.Span));

        using var copy = new MemoryStream();
        var properties = await _container.DownloadToAsync("big/part-0001.parquet", copy);
        Assert.Equal(content.Length, properties.ContentLength);
        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public async Task Upload_SmallStream_IsOnePut()
    {
        using var stream = new MemoryStream(new byte[1000]);
        await _container.UploadAsync("small.bin", stream);
        Assert.DoesNotContain(_log.Lines, l => l.Contains("small.bin", StringComparison.Ordinal) && l.Contains("blocks", StringComparison.Ordinal));
        Assert.Equal(1000, (await _container.GetPropertiesAsync("small.bin")).ContentLength);
    }

    [Fact]
    public async Task Upload_LargeCreateOnlyOverExisting_ThrowsBlobAlreadyExistsAndKeepsOriginal()
    {
        await _container.PutBlobAsync("big/exists.bin", "original"u8.ToArray());
        var content = RandomNumberGenerator.GetBytes(1024 * 1024);
        await Assert.ThrowsAsync<BlobAlreadyExistsException>(() =>
            _container.UploadAsync("big/exists.bin", new MemoryStream(content), new BlobUploadOptions { Conditions = BlobRequestConditions.IfNotExists }));
        Assert.Equal("original", Encoding.UTF8.GetString((await _container.DownloadAsync("big/exists.bin")).Content.Span));
    }

    [Fact]
    public async Task UploadFile_AndDownloadToFile_RoundTrip()
    {
        using var directory = new RetailEdge.Testing.TempDirectory("blob");
        var source = directory.Combine("in.bin");
        var content = RandomNumberGenerator.GetBytes(700 * 1024);
        await File.WriteAllBytesAsync(source, content);
        await _container.UploadFileAsync("files/in.bin", source);
        var target = directory.Combine("out.bin");
        await _container.DownloadToFileAsync("files/in.bin", target);
        Assert.Equal(content, await File.ReadAllBytesAsync(target));
        Assert.Single(Directory.GetFiles(directory.Path, "out.bin*"));
    }

    [Fact]
    public async Task Download_Range_ReturnsThatSliceAndTotalLength()
    {
        var content = Enumerable.Range(0, 1000).Select(i => (byte)(i % 251)).ToArray();
        await _container.PutBlobAsync("range.bin", content);

        var middle = await _container.DownloadAsync("range.bin", offset: 100, length: 50);
        Assert.Equal(content[100..150], middle.Content.ToArray());
        Assert.Equal(1000, middle.TotalLength);

        var tail = await _container.DownloadAsync("range.bin", offset: 990);
        Assert.Equal(content[990..], tail.Content.ToArray());
    }

    [Fact]
    public async Task Download_Missing_ThrowsNotFoundWithCode()
    {
        var error = await Assert.ThrowsAsync<BlobStorageException>(() => _container.DownloadAsync("nope.bin"));
        Assert.True(error.IsNotFound);
        Assert.Equal(BlobErrorCodes.BlobNotFound, error.ErrorCode);
        Assert.Contains(_container.Name + "/nope.bin", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_ContinuationAcrossPages_ReturnsEveryBlobOnce()
    {
        var names = Enumerable.Range(0, 7).Select(i => $"pages/blob-{i:D2}").ToList();
        foreach (var name in names)
        {
            await _container.PutBlobAsync(name, new byte[] { 1 });
        }
        var seen = new List<string>();
        string? marker = null;
        var pages = 0;
        do
        {
            var page = await _container.ListBlobsAsync(prefix: "pages/", maxResults: 2, marker: marker);
            Assert.True(page.Blobs.Count <= 2);
            seen.AddRange(page.Blobs.Select(b => b.Name));
            marker = page.NextMarker;
            pages++;
        }
        while (marker is not null);
        Assert.Equal(4, pages);
        Assert.Equal(names, seen);

        var all = new List<string>();
        await foreach (var blob in _container.ListAllBlobsAsync("pages/", pageSize: 3))
        {
            all.Add(blob.Name);
        }
        Assert.Equal(names, all);
    }

    [Fact]
    public async Task List_PrefixWithEqualsSpacesAndSymbols_IsEncodedAndMatches()
    {
        string[] names =
        [
            "silver/sale s/event_date=2026-11-21/part 1.parquet",
            "silver/sale s/event_date=2026-11-21/part+2&x=%41.parquet",
            "silver/sale s/event_date=2026-11-22/part-1.parquet",
            "silver/sales/event_date=2026-11-21/other.parquet",
        ];
        foreach (var name in names)
        {
            await _container.PutBlobAsync(name, Encoding.UTF8.GetBytes(name));
        }
        var page = await _container.ListBlobsAsync(prefix: "silver/sale s/event_date=2026-11-21/");
        Assert.Equal(names[..2].Order(StringComparer.Ordinal), page.Blobs.Select(b => b.Name).Order(StringComparer.Ordinal));
        Assert.Equal(names[1], Encoding.UTF8.GetString((await _container.DownloadAsync(names[1])).Content.Span));

        var folders = await _container.ListBlobsAsync(prefix: "silver/sale s/", delimiter: "/");
        Assert.Empty(folders.Blobs);
        Assert.Equal(new[] { "silver/sale s/event_date=2026-11-21/", "silver/sale s/event_date=2026-11-22/" }, folders.Prefixes);
    }

    [Fact]
    public async Task List_IncludeMetadata_ReturnsIt()
    {
        await _container.PutBlobAsync("meta/x", new byte[] { 1 }, new BlobUploadOptions { Metadata = new Dictionary<string, string> { ["owner"] = "lander-1" } });
        var page = await _container.ListBlobsAsync(prefix: "meta/", includeMetadata: true);
        Assert.Equal("lander-1", Assert.Single(page.Blobs).Metadata["owner"]);
    }

    [Fact]
    public async Task Delete_ExistingThenMissing_TrueThenFalse()
    {
        var written = await _container.PutBlobAsync("gone.bin", new byte[] { 1 });
        await _container.PutBlobAsync("gone.bin", new byte[] { 2 });
        var stale = await Assert.ThrowsAsync<BlobStorageException>(() => _container.DeleteBlobAsync("gone.bin", BlobRequestConditions.IfMatchETag(written.ETag)));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.Status);
        Assert.True(await _container.DeleteBlobAsync("gone.bin"));
        Assert.False(await _container.DeleteBlobAsync("gone.bin"));
    }

    [Fact]
    public async Task Lease_AcquireRenewReleaseBreak_EnforcedByService()
    {
        await _container.PutBlobAsync("owner/partition-0", "p0"u8.ToArray());
        var ownerA = Guid.NewGuid().ToString();
        var lease = await _container.AcquireLeaseAsync("owner/partition-0", TimeSpan.FromSeconds(15), ownerA);
        Assert.Equal(ownerA, lease.LeaseId);

        var conflict = await Assert.ThrowsAsync<BlobStorageException>(() => _container.AcquireLeaseAsync("owner/partition-0", TimeSpan.FromSeconds(15), Guid.NewGuid().ToString()));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal(BlobErrorCodes.LeaseAlreadyPresent, conflict.ErrorCode);
        Assert.True(conflict.IsLeaseConflict);

        var unleasedWrite = await Assert.ThrowsAsync<BlobStorageException>(() => _container.PutBlobAsync("owner/partition-0", "x"u8.ToArray()));
        Assert.Equal(HttpStatusCode.PreconditionFailed, unleasedWrite.Status);
        Assert.Equal(BlobErrorCodes.LeaseIdMissing, unleasedWrite.ErrorCode);
        await _container.PutBlobAsync("owner/partition-0", "checkpoint-1"u8.ToArray(), new BlobUploadOptions { Conditions = new BlobRequestConditions { LeaseId = lease.LeaseId } });

        var renewed = await _container.RenewLeaseAsync("owner/partition-0", lease.LeaseId);
        Assert.Equal(lease.LeaseId, renewed.LeaseId);
        Assert.Equal("leased", (await _container.GetPropertiesAsync("owner/partition-0")).LeaseState);

        var ownerB = Guid.NewGuid().ToString();
        var changed = await _container.ChangeLeaseAsync("owner/partition-0", lease.LeaseId, ownerB);
        Assert.Equal(ownerB, changed.LeaseId);
        await Assert.ThrowsAsync<BlobStorageException>(() => _container.ReleaseLeaseAsync("owner/partition-0", lease.LeaseId));
        await _container.ReleaseLeaseAsync("owner/partition-0", ownerB);
        Assert.Equal("available", (await _container.GetPropertiesAsync("owner/partition-0")).LeaseState);

        var again = await _container.AcquireLeaseAsync("owner/partition-0");
        Assert.Equal(TimeSpan.Zero, await _container.BreakLeaseAsync("owner/partition-0", TimeSpan.Zero));
        Assert.Equal("broken", (await _container.GetPropertiesAsync("owner/partition-0")).LeaseState);
        await Assert.ThrowsAsync<BlobStorageException>(() => _container.RenewLeaseAsync("owner/partition-0", again.LeaseId));
        var taken = await _container.AcquireLeaseAsync("owner/partition-0", TimeSpan.FromSeconds(60));
        await _container.DeleteBlobAsync("owner/partition-0", new BlobRequestConditions { LeaseId = taken.LeaseId });
    }

    [Fact]
    public async Task Validation_BadNamesAndMetadata_RejectedBeforeSending()
    {
        Assert.Throws<ArgumentException>(() => _client.GetContainerClient("Bad_Name"));
        await Assert.ThrowsAsync<ArgumentException>(() => _container.PutBlobAsync("dir/", new byte[] { 1 }));
        await Assert.ThrowsAsync<ArgumentException>(() => _container.PutBlobAsync("x", new byte[] { 1 }, new BlobUploadOptions
        {
            Metadata = new Dictionary<string, string> { ["ok"] = "line\r\nx-ms-meta-injected: 1" },
        }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _container.AcquireLeaseAsync("x", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Upload_BlocksToLeasedBlobWithoutLease_FailsWithServiceCodeNotCancellation()
    {
        await _container.PutBlobAsync("leased/big.bin", "v0"u8.ToArray());
        var lease = await _container.AcquireLeaseAsync("leased/big.bin", TimeSpan.FromSeconds(30));
        var content = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        var error = await Assert.ThrowsAsync<BlobStorageException>(() => _container.UploadAsync("leased/big.bin", new MemoryStream(content)));
        Assert.Equal(HttpStatusCode.PreconditionFailed, error.Status);
        Assert.StartsWith("Lease", error.ErrorCode, StringComparison.Ordinal);

        await _container.UploadAsync("leased/big.bin", new MemoryStream(content), new BlobUploadOptions { Conditions = new BlobRequestConditions { LeaseId = lease.LeaseId } });
        Assert.Equal(content.Length, (await _container.GetPropertiesAsync("leased/big.bin")).ContentLength);
        await _container.ReleaseLeaseAsync("leased/big.bin", lease.LeaseId);
    }

    [Fact]
    public async Task Upload_Cancelled_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _container.UploadAsync("cancelled.bin", new MemoryStream(RandomNumberGenerator.GetBytes(2 * 1024 * 1024)), cancellationToken: cts.Token));
        Assert.False(await _container.ExistsAsync("cancelled.bin"));
    }

    [Fact]
    public async Task AcquireLease_SameProposedIdTwice_IsIdempotent()
    {
        await _container.PutBlobAsync("owner/p1", new byte[] { 1 });
        var id = Guid.NewGuid().ToString();
        var first = await _container.AcquireLeaseAsync("owner/p1", TimeSpan.FromSeconds(15), id);
        var again = await _container.AcquireLeaseAsync("owner/p1", TimeSpan.FromSeconds(15), id);
        Assert.Equal(first.LeaseId, again.LeaseId);
        await _container.ReleaseLeaseAsync("owner/p1", id);
    }

    [Fact]
    public async Task PutBlob_BodyDamagedInTransit_RefusedByServiceNotStored()
    {
        // The handler flips one byte after the client computed Content-MD5 and signed the request.
        using var http = new HttpClient(new CorruptingHandler { InnerHandler = new HttpClientHandler() });
        using var client = new BlobStorageClient(_azurite.SharedKeyOptions() with { MaxRetries = 0 }, http);
        var container = client.GetContainerClient(_container.Name);
        var error = await Assert.ThrowsAsync<BlobStorageException>(() => container.PutBlobAsync("damaged.bin", new byte[] { 1, 2, 3, 4 }));
        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        // Azure answers Md5Mismatch; Azurite InvalidOperation "Provided contentMD5 doesn't match".
        Assert.Contains("md5", error.ErrorCode + " " + error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(await _container.ExistsAsync("damaged.bin"));
    }

    private sealed class CorruptingHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Put && request.Content is { } content && content.Headers.ContentLength > 0)
            {
                var bytes = await content.ReadAsByteArrayAsync(cancellationToken);
                bytes[0] ^= 0xFF;
                var damaged = new ByteArrayContent(bytes);
                foreach (var header in content.Headers)
                {
                    damaged.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
                request.Content = damaged;
            }
            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A stream without a length, like a network or pipe source.</summary>
    private sealed class NonSeekableStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => base.Position; set => throw new NotSupportedException(); }
    }
}
