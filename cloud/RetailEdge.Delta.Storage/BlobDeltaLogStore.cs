using RetailEdge.BlobStorage;

namespace RetailEdge.Delta.Storage;

/// <summary>
/// A table under a prefix of an Azure Blob container. Put-if-absent is a Put Blob with
/// `If-None-Match: *` (409 BlobAlreadyExists = another writer has the version). Because the client
/// retries on transient failures, a 409 can also mean our own earlier try landed: the existing
/// blob is then compared with our bytes, and only a different content counts as a lost race.
/// </summary>
public sealed class BlobDeltaLogStore : IDeltaLogStore
{
    private readonly BlobContainerClient _container;
    private readonly string _prefix;

    /// <param name="tablePath">the table folder inside the container, e.g. "lake/bronze/telemetry"</param>
    public BlobDeltaLogStore(BlobContainerClient container, string tablePath)
    {
        _container = container ?? throw new ArgumentNullException(nameof(container));
        ArgumentNullException.ThrowIfNull(tablePath);
        var trimmed = tablePath.Trim('/');
        _prefix = trimmed.Length == 0 ? string.Empty : StorePath.Validate(trimmed) + "/";
    }

    /// <summary>The container URL plus table path; never includes a SAS.</summary>
    public string Location => _container.Uri.AbsoluteUri.TrimEnd('/') + "/" + _prefix.TrimEnd('/');

    public string? LocalRoot => null;

    public async Task<IReadOnlyList<LogStoreEntry>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var result = new List<LogStoreEntry>();
        await foreach (var blob in _container.ListAllBlobsAsync(_prefix + prefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            result.Add(new LogStoreEntry(blob.Name[_prefix.Length..], blob.ContentLength, blob.LastModified));
        }
        return result;
    }

    public async Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var download = await _container.DownloadAsync(Name(path), cancellationToken: cancellationToken).ConfigureAwait(false);
            return download.Content.ToArray();
        }
        catch (BlobStorageException ex) when (ex.IsNotFound)
        {
            return null;
        }
    }

    public async Task<bool> TryCreateAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var written = await _container.TryPutBlobIfNotExistsAsync(Name(path), content, cancellationToken).ConfigureAwait(false);
        if (written is not null)
        {
            return true;
        }
        var existing = await ReadAsync(path, cancellationToken).ConfigureAwait(false);
        return existing is not null && existing.AsSpan().SequenceEqual(content.Span);
    }

    public async Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        await _container.PutBlobAsync(Name(path), content, cancellationToken: cancellationToken).ConfigureAwait(false);

    public async Task UploadAsync(string localFile, string path, CancellationToken cancellationToken)
    {
        try
        {
            await _container.UploadFileAsync(Name(path), localFile, new BlobUploadOptions { Conditions = BlobRequestConditions.IfNotExists }, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobAlreadyExistsException ex)
        {
            throw new IOException($"{path} already exists in {Location}; data files are never overwritten", ex);
        }
    }

    public async Task<bool> DownloadAsync(string path, string localFile, CancellationToken cancellationToken)
    {
        try
        {
            await _container.DownloadToFileAsync(Name(path), localFile, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (BlobStorageException ex) when (ex.IsNotFound)
        {
            return false;
        }
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken) =>
        await _container.DeleteBlobAsync(Name(path), cancellationToken: cancellationToken).ConfigureAwait(false);

    private string Name(string path) => _prefix + StorePath.Validate(path);
}
