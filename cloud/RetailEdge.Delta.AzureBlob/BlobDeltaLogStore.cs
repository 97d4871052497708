using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using RetailEdge.Delta.Storage;

namespace RetailEdge.Delta.AzureBlob;

/// <summary>
/// A table under a prefix of an Azure Blob container (Azure.Storage.Blobs). Put-if-absent is an
/// upload with <c>IfNoneMatch = *</c> (409 BlobAlreadyExists = another writer has the version).
/// Because the SDK retries transient failures, a 409 can also mean our own earlier try landed: the
/// existing blob is then compared with our bytes, and only a different content counts as a lost race.
/// </summary>
public sealed class BlobDeltaLogStore : IDeltaLogStore
{
    private static readonly BlobRequestConditions IfNotExists = new() { IfNoneMatch = ETag.All };
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
    public string Location => _container.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/" + _prefix.TrimEnd('/');

    public string? LocalRoot => null;

    public async Task<IReadOnlyList<LogStoreEntry>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var result = new List<LogStoreEntry>();
        // the pageable follows the service's continuation markers until the listing is complete
        await foreach (var blob in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = _prefix + prefix }, cancellationToken).ConfigureAwait(false))
        {
            result.Add(new LogStoreEntry(blob.Name[_prefix.Length..], blob.Properties.ContentLength ?? 0, blob.Properties.LastModified ?? DateTimeOffset.MinValue));
        }
        return result;
    }

    public async Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var download = await _container.GetBlobClient(Name(path)).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return download.Value.Content.ToArray();
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobNotFound)
        {
            return null;
        }
    }

    public async Task<bool> TryCreateAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        try
        {
            await _container.GetBlobClient(Name(path)).UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions { Conditions = IfNotExists }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (IsAlreadyExists(ex))
        {
            var existing = await ReadAsync(path, cancellationToken).ConfigureAwait(false);
            return existing is not null && existing.AsSpan().SequenceEqual(content.Span);
        }
    }

    public async Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        await _container.GetBlobClient(Name(path)).UploadAsync(BinaryData.FromBytes(content), overwrite: true, cancellationToken).ConfigureAwait(false);

    /// <summary>One Put Blob, or staged blocks and one Put Block List for large files; the create-only
    /// condition applies to the final commit, so a data file appears whole and is never overwritten.</summary>
    public async Task UploadAsync(string localFile, string path, CancellationToken cancellationToken)
    {
        try
        {
            await _container.GetBlobClient(Name(path)).UploadAsync(localFile, new BlobUploadOptions { Conditions = IfNotExists }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (IsAlreadyExists(ex))
        {
            throw new IOException($"{path} already exists in {Location}; data files are never overwritten", ex);
        }
    }

    public async Task<bool> DownloadAsync(string path, string localFile, CancellationToken cancellationToken)
    {
        try
        {
            await _container.GetBlobClient(Name(path)).DownloadToAsync(localFile, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobNotFound)
        {
            File.Delete(localFile); // the SDK creates the file before it learns that the blob is missing
            return false;
        }
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken) =>
        await _container.GetBlobClient(Name(path)).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <summary>409 BlobAlreadyExists, or 412 ConditionNotMet from services that answer a failed If-None-Match that way.</summary>
    internal static bool IsAlreadyExists(RequestFailedException ex) =>
        ex.ErrorCode == BlobErrorCode.BlobAlreadyExists || ex.ErrorCode == BlobErrorCode.ConditionNotMet;

    private string Name(string path) => _prefix + StorePath.Validate(path);
}
