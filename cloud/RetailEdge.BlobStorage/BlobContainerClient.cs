using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Xml.Linq;

namespace RetailEdge.BlobStorage;

/// <summary>
/// Operations on one container and its block blobs (Blob service REST API). Thread-safe.
/// Failures throw <see cref="BlobStorageException"/> with the service's error code; a create-only
/// write that finds the blob throws <see cref="BlobAlreadyExistsException"/>.
/// </summary>
public sealed class BlobContainerClient
{
    private static readonly KeyValuePair<string, string>[] ContainerQuery = [new("restype", "container")];
    private readonly BlobPipeline _pipeline;

    internal BlobContainerClient(BlobPipeline pipeline, string name)
    {
        _pipeline = pipeline;
        Name = name;
    }

    public string Name { get; }

    /// <summary>The container's URL (without any SAS).</summary>
    public Uri Uri => new(_pipeline.Options.ServiceUri.AbsoluteUri.TrimEnd('/') + "/" + Name);

    // ---- container ----------------------------------------------------------------------

    /// <summary>Creates the container; false when it already exists.</summary>
    public async Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(HttpMethod.Put, null, ContainerQuery, null, "create container", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            var error = await BlobPipeline.ErrorAsync(response, "create container", Name, false, cancellationToken).ConfigureAwait(false);
            return error.ErrorCode == BlobErrorCodes.ContainerAlreadyExists ? false : throw error;
        }
        await EnsureSuccessAsync(response, "create container", null, false, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Deletes the container and everything in it; false when it did not exist.</summary>
    public async Task<bool> DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(HttpMethod.Delete, null, ContainerQuery, null, "delete container", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            response.Dispose();
            return false;
        }
        await EnsureSuccessAsync(response, "delete container", null, false, cancellationToken).ConfigureAwait(false);
        return true;
    }

    // ---- writes -------------------------------------------------------------------------

    /// <summary>Put Blob: writes a whole block blob in one request (up to 256 MiB here).</summary>
    public async Task<BlobWriteResult> PutBlobAsync(string blobName, ReadOnlyMemory<byte> content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        BlobNames.RequireBlob(blobName);
        ValidateUploadOptions(options);
        var md5 = ContentHash(content);
        var response = await SendAsync(HttpMethod.Put, blobName, null, request =>
        {
            request.Content = Body(content, options?.ContentType);
            request.Content.Headers.ContentMD5 = md5;
            request.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
            AddMetadata(request, options?.Metadata);
            AddConditions(request, options?.Conditions);
        }, "put", cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "put", blobName, IsCreateOnly(options?.Conditions), cancellationToken).ConfigureAwait(false);
        return WriteResult(response);
    }

    /// <summary>
    /// Put-if-absent (If-None-Match: *): the write result, or null when the blob already exists
    /// (somebody else created it first). This is the commit primitive of log stores.
    /// </summary>
    public async Task<BlobWriteResult?> TryPutBlobIfNotExistsAsync(string blobName, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        try
        {
            return await PutBlobAsync(blobName, content, new BlobUploadOptions { Conditions = BlobRequestConditions.IfNotExists }, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobAlreadyExistsException)
        {
            return null;
        }
    }

    /// <summary>
    /// Uploads a stream: one Put Blob when it fits <see cref="BlobStorageClientOptions.SingleUploadThreshold"/>,
    /// else Put Block in parallel then Put Block List (conditions apply to the final commit, so a
    /// create-only upload of a large file is still atomic).
    /// </summary>
    public async Task<BlobWriteResult> UploadAsync(string blobName, Stream content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        BlobNames.RequireBlob(blobName);
        ArgumentNullException.ThrowIfNull(content);
        ValidateUploadOptions(options);
        var threshold = _pipeline.Options.SingleUploadThreshold;
        // Read up to threshold + 1 bytes to learn whether the stream fits in one request.
        var head = new byte[Math.Min(threshold + 1, content.CanSeek ? (int)Math.Min(content.Length - content.Position + 1, threshold + 1) : threshold + 1)];
        var headLength = await ReadFullAsync(content, head, cancellationToken).ConfigureAwait(false);
        if (headLength <= threshold)
        {
            return await PutBlobAsync(blobName, head.AsMemory(0, headLength), options, cancellationToken).ConfigureAwait(false);
        }
        return await UploadBlocksAsync(blobName, head.AsMemory(0, headLength), content, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Uploads a local file (see <see cref="UploadAsync"/>).</summary>
    public async Task<BlobWriteResult> UploadFileAsync(string blobName, string path, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            return await UploadAsync(blobName, file, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Put Block: stages one block (id: base64, all ids of a blob the same length).</summary>
    public async Task PutBlockAsync(string blobName, string blockId, ReadOnlyMemory<byte> content, string? leaseId = null, CancellationToken cancellationToken = default)
    {
        BlobNames.RequireBlob(blobName);
        ArgumentException.ThrowIfNullOrEmpty(blockId);
        var md5 = ContentHash(content);
        var response = await SendAsync(HttpMethod.Put, blobName, [new("comp", "block"), new("blockid", blockId)], request =>
        {
            request.Content = Body(content, null);
            request.Content.Headers.ContentMD5 = md5;
            if (leaseId is not null)
            {
                request.Headers.TryAddWithoutValidation("x-ms-lease-id", leaseId);
            }
        }, "put block", cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "put block", blobName, false, cancellationToken).ConfigureAwait(false);
        response.Dispose();
    }

    /// <summary>Put Block List: commits staged blocks, in order, as the blob's content.</summary>
    public async Task<BlobWriteResult> PutBlockListAsync(string blobName, IReadOnlyList<string> blockIds, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        BlobNames.RequireBlob(blobName);
        ArgumentNullException.ThrowIfNull(blockIds);
        ValidateUploadOptions(options);
        var xml = new XDocument(new XDeclaration("1.0", "utf-8", null),
            new XElement("BlockList", blockIds.Select(id => new XElement("Latest", id))));
        var body = Encoding.UTF8.GetBytes(xml.Declaration + xml.ToString(SaveOptions.DisableFormatting));
        var response = await SendAsync(HttpMethod.Put, blobName, [new("comp", "blocklist")], request =>
        {
            request.Content = Body(body, "application/xml");
            if (options?.ContentType is { } contentType)
            {
                request.Headers.TryAddWithoutValidation("x-ms-blob-content-type", contentType);
            }
            AddMetadata(request, options?.Metadata);
            AddConditions(request, options?.Conditions);
        }, "put block list", cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "put block list", blobName, IsCreateOnly(options?.Conditions), cancellationToken).ConfigureAwait(false);
        return WriteResult(response);
    }

    // ---- reads --------------------------------------------------------------------------

    /// <summary>Get Blob: the whole blob, or <paramref name="length"/> bytes from <paramref name="offset"/> (x-ms-range).</summary>
    public async Task<BlobDownload> DownloadAsync(string blobName, long offset = 0, long? length = null, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        BlobNames.RequireBlob(blobName);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "A range needs a positive length.");
        }
        var response = await SendAsync(HttpMethod.Get, blobName, null, request =>
        {
            if (offset > 0 || length is not null)
            {
                var end = length is { } l ? (offset + l - 1).ToString(CultureInfo.InvariantCulture) : string.Empty;
                request.Headers.TryAddWithoutValidation("x-ms-range", $"bytes={offset.ToString(CultureInfo.InvariantCulture)}-{end}");
            }
            AddConditions(request, conditions);
        }, "get", cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "get", blobName, false, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var properties = Properties(blobName, response);
            var total = response.Content.Headers.ContentRange?.Length ?? properties.ContentLength;
            return new BlobDownload(bytes, properties with { ContentLength = total }) { TotalLength = total };
        }
    }

    /// <summary>Get Blob streamed into <paramref name="destination"/> (no whole-blob buffer).</summary>
    public async Task<BlobProperties> DownloadToAsync(string blobName, Stream destination, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        BlobNames.RequireBlob(blobName);
        ArgumentNullException.ThrowIfNull(destination);
        var response = await _pipeline.SendAsync(
            () => Request(HttpMethod.Get, blobName, null, r => AddConditions(r, conditions)),
            "get", Resource(blobName), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "get", blobName, false, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            var source = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                await source.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
            }
            return Properties(blobName, response);
        }
    }

    /// <summary>Downloads to a local file atomically (temp file, then rename).</summary>
    public async Task<BlobProperties> DownloadToFileAsync(string blobName, string path, CancellationToken cancellationToken = default)
    {
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".partial";
        try
        {
            BlobProperties properties;
            var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                properties = await DownloadToAsync(blobName, file, null, cancellationToken).ConfigureAwait(false);
            }
            File.Move(temp, path, overwrite: true);
            return properties;
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Get Blob Properties (HEAD); throws with <see cref="BlobStorageException.IsNotFound"/> when missing.</summary>
    public async Task<BlobProperties> GetPropertiesAsync(string blobName, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        BlobNames.RequireBlob(blobName);
        var response = await SendAsync(HttpMethod.Head, blobName, null, r => AddConditions(r, conditions), "get properties", cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "get properties", blobName, false, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            return Properties(blobName, response);
        }
    }

    public async Task<bool> ExistsAsync(string blobName, CancellationToken cancellationToken = default)
    {
        try
        {
            await GetPropertiesAsync(blobName, null, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (BlobStorageException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// One page of List Blobs. With a <paramref name="delimiter"/> (usually "/") names below the next
    /// delimiter are rolled up into <see cref="BlobListPage.Prefixes"/>. Pass the previous page's
    /// <see cref="BlobListPage.NextMarker"/> as <paramref name="marker"/> to continue.
    /// </summary>
    public async Task<BlobListPage> ListBlobsAsync(
        string? prefix = null, string? delimiter = null, int? maxResults = null, string? marker = null, bool includeMetadata = false, CancellationToken cancellationToken = default)
    {
        if (maxResults is < 1 or > 5000)
        {
            throw new ArgumentOutOfRangeException(nameof(maxResults), maxResults, "maxResults must be between 1 and 5000.");
        }
        var query = new List<KeyValuePair<string, string>> { new("restype", "container"), new("comp", "list") };
        if (!string.IsNullOrEmpty(prefix))
        {
            query.Add(new("prefix", prefix));
        }
        if (!string.IsNullOrEmpty(delimiter))
        {
            query.Add(new("delimiter", delimiter));
        }
        if (maxResults is { } max)
        {
            query.Add(new("maxresults", max.ToString(CultureInfo.InvariantCulture)));
        }
        if (!string.IsNullOrEmpty(marker))
        {
            query.Add(new("marker", marker));
        }
        if (includeMetadata)
        {
            query.Add(new("include", "metadata"));
        }
        var response = await SendAsync(HttpMethod.Get, null, query, null, "list", cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "list", null, false, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var document = await XDocument.LoadAsync(stream, LoadOptions.None, cancellationToken).ConfigureAwait(false);
            return BlobListParser.Parse(document);
        }
    }

    /// <summary>Every blob under <paramref name="prefix"/>, following continuation markers.</summary>
    public async IAsyncEnumerable<BlobProperties> ListAllBlobsAsync(string? prefix = null, int pageSize = 5000, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? marker = null;
        do
        {
            var page = await ListBlobsAsync(prefix, null, pageSize, marker, false, cancellationToken).ConfigureAwait(false);
            foreach (var blob in page.Blobs)
            {
                yield return blob;
            }
            marker = page.NextMarker;
        }
        while (!string.IsNullOrEmpty(marker));
    }

    // ---- delete -------------------------------------------------------------------------

    /// <summary>Delete Blob; false when it did not exist. Conditions (If-Match, lease) apply.</summary>
    public async Task<bool> DeleteBlobAsync(string blobName, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        BlobNames.RequireBlob(blobName);
        var response = await SendAsync(HttpMethod.Delete, blobName, null, r => AddConditions(r, conditions), "delete", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            var error = await BlobPipeline.ErrorAsync(response, "delete", Resource(blobName), false, cancellationToken).ConfigureAwait(false);
            return error.ErrorCode is BlobErrorCodes.BlobNotFound or "" ? false : throw error;
        }
        await EnsureSuccessAsync(response, "delete", blobName, false, cancellationToken).ConfigureAwait(false);
        response.Dispose();
        return true;
    }

    // ---- leases (Lease Blob) -----------------------------------------------------------

    /// <summary>Acquires a lease for 15-60 s, or infinite when <paramref name="duration"/> is null.
    /// A held lease gives 409 LeaseAlreadyPresent (<see cref="BlobStorageException.IsLeaseConflict"/>).</summary>
    public async Task<BlobLease> AcquireLeaseAsync(string blobName, TimeSpan? duration = null, string? proposedLeaseId = null, CancellationToken cancellationToken = default)
    {
        if (duration is { } d && (d < TimeSpan.FromSeconds(15) || d > TimeSpan.FromSeconds(60)))
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A lease lasts 15 to 60 seconds, or is infinite (null).");
        }
        var seconds = duration is { } value ? ((int)value.TotalSeconds).ToString(CultureInfo.InvariantCulture) : "-1";
        // Always propose an id: re-acquiring with the same id succeeds, so a retry after a lost
        // response does not turn our own lease into a LeaseAlreadyPresent conflict.
        proposedLeaseId ??= Guid.NewGuid().ToString();
        var response = await LeaseAsync(blobName, "acquire", r =>
        {
            r.Headers.TryAddWithoutValidation("x-ms-lease-duration", seconds);
            r.Headers.TryAddWithoutValidation("x-ms-proposed-lease-id", proposedLeaseId);
        }, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            return new BlobLease(Header(response, "x-ms-lease-id") ?? proposedLeaseId, Header(response, "ETag"));
        }
    }

    public async Task<BlobLease> RenewLeaseAsync(string blobName, string leaseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        using var response = await LeaseAsync(blobName, "renew", r => r.Headers.TryAddWithoutValidation("x-ms-lease-id", leaseId), cancellationToken).ConfigureAwait(false);
        return new BlobLease(Header(response, "x-ms-lease-id") ?? leaseId, Header(response, "ETag"));
    }

    public async Task ReleaseLeaseAsync(string blobName, string leaseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        using var response = await LeaseAsync(blobName, "release", r => r.Headers.TryAddWithoutValidation("x-ms-lease-id", leaseId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Changes the id of a held lease (hand-over between owners).</summary>
    public async Task<BlobLease> ChangeLeaseAsync(string blobName, string leaseId, string proposedLeaseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        ArgumentException.ThrowIfNullOrEmpty(proposedLeaseId);
        using var response = await LeaseAsync(blobName, "change", r =>
        {
            r.Headers.TryAddWithoutValidation("x-ms-lease-id", leaseId);
            r.Headers.TryAddWithoutValidation("x-ms-proposed-lease-id", proposedLeaseId);
        }, cancellationToken).ConfigureAwait(false);
        return new BlobLease(Header(response, "x-ms-lease-id") ?? proposedLeaseId, Header(response, "ETag"));
    }

    /// <summary>Breaks the lease (any caller may); returns the time until it can be acquired again.</summary>
    public async Task<TimeSpan> BreakLeaseAsync(string blobName, TimeSpan? breakPeriod = null, CancellationToken cancellationToken = default)
    {
        if (breakPeriod is { } p && (p < TimeSpan.Zero || p > TimeSpan.FromSeconds(60)))
        {
            throw new ArgumentOutOfRangeException(nameof(breakPeriod), breakPeriod, "A break period is 0 to 60 seconds.");
        }
        using var response = await LeaseAsync(blobName, "break", r =>
        {
            if (breakPeriod is { } period)
            {
                r.Headers.TryAddWithoutValidation("x-ms-lease-break-period", ((int)period.TotalSeconds).ToString(CultureInfo.InvariantCulture));
            }
        }, cancellationToken).ConfigureAwait(false);
        return int.TryParse(Header(response, "x-ms-lease-time"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.Zero;
    }

    // ---- plumbing -----------------------------------------------------------------------

    private async Task<HttpResponseMessage> LeaseAsync(string blobName, string action, Action<HttpRequestMessage> configure, CancellationToken cancellationToken)
    {
        BlobNames.RequireBlob(blobName);
        var operation = action + " lease";
        var response = await SendAsync(HttpMethod.Put, blobName, [new("comp", "lease")], r =>
        {
            r.Headers.TryAddWithoutValidation("x-ms-lease-action", action);
            r.Content = Body(ReadOnlyMemory<byte>.Empty, null);
            configure(r);
        }, operation, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, operation, blobName, false, cancellationToken).ConfigureAwait(false);
        return response;
    }

    private async Task<BlobWriteResult> UploadBlocksAsync(string blobName, ReadOnlyMemory<byte> head, Stream rest, BlobUploadOptions? options, CancellationToken cancellationToken)
    {
        var blockSize = _pipeline.Options.BlockSize;
        var ids = new List<string>();
        var inFlight = new List<Task>();
        using var throttle = new SemaphoreSlim(_pipeline.Options.UploadConcurrency);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A prefix unique to this upload: blocks left uncommitted by a failed upload never mix in.
        var uploadId = Guid.NewGuid().ToString("N")[..16];
        Exception? firstFailure = null;
        long total = 0;
        try
        {
            var pending = head;
            var ended = false;
            while (!ended)
            {
                // Fill one block from what is left of the head, then from the stream.
                var block = ArrayPool<byte>.Shared.Rent(blockSize);
                var filled = Math.Min(pending.Length, blockSize);
                pending[..filled].CopyTo(block);
                pending = pending[filled..];
                try
                {
                    if (filled < blockSize)
                    {
                        filled += await ReadFullAsync(rest, block.AsMemory(filled, blockSize - filled), linked.Token).ConfigureAwait(false);
                    }
                    ended = filled < blockSize;
                    if (filled == 0)
                    {
                        ArrayPool<byte>.Shared.Return(block);
                        break;
                    }
                    await throttle.WaitAsync(linked.Token).ConfigureAwait(false);
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(block);
                    throw;
                }
                var id = Convert.ToBase64String(Encoding.ASCII.GetBytes($"{uploadId}-{ids.Count:D6}"));
                ids.Add(id);
                total += filled;
                var length = filled;
                inFlight.Add(Task.Run(async () =>
                {
                    try
                    {
                        await PutBlockAsync(blobName, id, block.AsMemory(0, length), options?.Conditions?.LeaseId, linked.Token).ConfigureAwait(false);
                    }
                    catch (Exception e)
                    {
                        // Keep the root cause; the cancellations it triggers in other blocks are noise.
                        Interlocked.CompareExchange(ref firstFailure, e, null);
                        await linked.CancelAsync().ConfigureAwait(false);
                        throw;
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(block);
                        throttle.Release();
                    }
                }, CancellationToken.None));
            }
            await Task.WhenAll(inFlight).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await linked.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(inFlight).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Every block has stopped; the failure to report is chosen below.
            }
            var cause = cancellationToken.IsCancellationRequested ? e : Volatile.Read(ref firstFailure) ?? e;
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
        }
        Log.BlockUpload(_pipeline.Logger, Resource(blobName), ids.Count, total);
        return await PutBlockListAsync(blobName, ids, options, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ReadFullAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }

    private Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string? blobName, IEnumerable<KeyValuePair<string, string>>? query, Action<HttpRequestMessage>? configure, string operation, CancellationToken cancellationToken) =>
        _pipeline.SendAsync(() => Request(method, blobName, query, configure), operation, Resource(blobName), HttpCompletionOption.ResponseContentRead, cancellationToken);

    private HttpRequestMessage Request(HttpMethod method, string? blobName, IEnumerable<KeyValuePair<string, string>>? query, Action<HttpRequestMessage>? configure)
    {
        var request = new HttpRequestMessage(method, _pipeline.BuildUri(Name, blobName, query));
        if (method == HttpMethod.Put && configure is null)
        {
            request.Content = Body(ReadOnlyMemory<byte>.Empty, null);
        }
        configure?.Invoke(request);
        if (method == HttpMethod.Put && request.Content is null)
        {
            request.Content = Body(ReadOnlyMemory<byte>.Empty, null);
        }
        return request;
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string operation, string? blobName, bool createOnly, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await BlobPipeline.ErrorAsync(response, operation, Resource(blobName), createOnly, cancellationToken).ConfigureAwait(false);
        }
    }

    private string Resource(string? blobName) => blobName is null ? Name : Name + "/" + blobName;

    private static ReadOnlyMemoryContent Body(ReadOnlyMemory<byte> content, string? contentType)
    {
        var body = new ReadOnlyMemoryContent(content);
        body.Headers.ContentLength = content.Length;
        if (contentType is not null)
        {
            body.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        return body;
    }

    /// <summary>
    /// Content-MD5 of a body: the service recomputes it and refuses a body damaged in transit
    /// (400 Md5Mismatch) instead of storing it. MD5 is what the protocol defines for this check;
    /// it is a transfer checksum here, not a security control.
    /// </summary>
#pragma warning disable CA5351 // transfer integrity checksum required by the Blob protocol, not used for security
    private static byte[] ContentHash(ReadOnlyMemory<byte> content) => System.Security.Cryptography.MD5.HashData(content.Span);
#pragma warning restore CA5351

    private static bool IsCreateOnly(BlobRequestConditions? conditions) => conditions?.IfNoneMatch == "*";

    private static void AddConditions(HttpRequestMessage request, BlobRequestConditions? conditions)
    {
        if (conditions is null)
        {
            return;
        }
        // Raw values: ETags are sent exactly as the service returned them.
        if (conditions.IfMatch is { } ifMatch)
        {
            request.Headers.TryAddWithoutValidation("If-Match", RequireHeaderValue(ifMatch, nameof(conditions.IfMatch)));
        }
        if (conditions.IfNoneMatch is { } ifNoneMatch)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", RequireHeaderValue(ifNoneMatch, nameof(conditions.IfNoneMatch)));
        }
        if (conditions.IfModifiedSince is { } modifiedSince)
        {
            request.Headers.TryAddWithoutValidation("If-Modified-Since", modifiedSince.ToString("R", CultureInfo.InvariantCulture));
        }
        if (conditions.IfUnmodifiedSince is { } unmodifiedSince)
        {
            request.Headers.TryAddWithoutValidation("If-Unmodified-Since", unmodifiedSince.ToString("R", CultureInfo.InvariantCulture));
        }
        if (conditions.LeaseId is { } leaseId)
        {
            request.Headers.TryAddWithoutValidation("x-ms-lease-id", RequireHeaderValue(leaseId, nameof(conditions.LeaseId)));
        }
    }

    private static void AddMetadata(HttpRequestMessage request, IReadOnlyDictionary<string, string>? metadata)
    {
        foreach (var (name, value) in metadata ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation("x-ms-meta-" + name, value);
        }
    }

    private static void ValidateUploadOptions(BlobUploadOptions? options)
    {
        if (options?.ContentType is { } contentType && !MediaTypeHeaderValue.TryParse(contentType, out _))
        {
            throw new ArgumentException($"'{contentType}' is not a valid content type.", nameof(options));
        }
        foreach (var (name, value) in options?.Metadata ?? new Dictionary<string, string>())
        {
            // Metadata names must be C# identifiers; values go into headers, so no control characters (no header injection).
            if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                throw new ArgumentException($"Metadata name '{name}' must be an identifier (ASCII letters, digits, '_').", nameof(options));
            }
            if (value is null || !value.All(c => c is >= ' ' and <= '~'))
            {
                throw new ArgumentException($"Metadata '{name}' must be printable ASCII.", nameof(options));
            }
        }
    }

    private static string RequireHeaderValue(string value, string name) =>
        value.Length > 0 && value.All(c => c is >= ' ' and <= '~') ? value : throw new ArgumentException($"{name} must be printable ASCII.", name);

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || (response.Content.Headers.TryGetValues(name, out values)) ? values.FirstOrDefault() : null;

    private static BlobWriteResult WriteResult(HttpResponseMessage response)
    {
        using (response)
        {
            return new BlobWriteResult(Header(response, "ETag") ?? string.Empty, LastModified(response));
        }
    }

    private static DateTimeOffset LastModified(HttpResponseMessage response) =>
        response.Content.Headers.LastModified ??
        (DateTimeOffset.TryParse(Header(response, "Last-Modified"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : default);

    private static BlobProperties Properties(string blobName, HttpResponseMessage response)
    {
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers)
        {
            if (name.StartsWith("x-ms-meta-", StringComparison.OrdinalIgnoreCase))
            {
                metadata[name["x-ms-meta-".Length..]] = string.Join(",", values);
            }
        }
        return new BlobProperties
        {
            Name = blobName,
            ETag = Header(response, "ETag") ?? string.Empty,
            LastModified = LastModified(response),
            ContentLength = response.Content.Headers.ContentLength ?? 0,
            ContentType = response.Content.Headers.ContentType?.ToString(),
            BlobType = Header(response, "x-ms-blob-type"),
            LeaseState = Header(response, "x-ms-lease-state"),
            LeaseStatus = Header(response, "x-ms-lease-status"),
            Metadata = metadata,
        };
    }
}
