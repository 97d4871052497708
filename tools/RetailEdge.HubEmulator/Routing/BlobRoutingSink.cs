using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace RetailEdge.HubEmulator.Routing;

/// <summary>
/// Writes routed batches to a blob container (Azure Storage or Azurite) through Azure.Storage.Blobs.
/// Each batch is uploaded with <c>IfNoneMatch = *</c> — a single Put Blob, or blocks and one Put
/// Block List commit for large batches — so a blob appears whole or not at all and nothing is ever
/// overwritten; a taken name (409 BlobAlreadyExists) moves on to the "-{n:00}" suffix.
/// </summary>
public sealed class BlobRoutingSink : IRoutingSink, IDisposable
{
    private const int MaxSuffix = 999;
    private static readonly BlobUploadOptions CreateOnly = new()
    {
        Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
    };

    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly SemaphoreSlim _createGate = new(1, 1);
    private bool _containerReady;

    private BlobRoutingSink(BlobContainerClient container, string prefix, string description)
    {
        _container = container;
        _prefix = prefix;
        Description = description;
    }

    public string Description { get; }

    /// <summary>
    /// From a container URL (<c>http[s]://…/{account}/{container}[/{prefix}][?sas]</c>, split by the
    /// SDK's <see cref="BlobUriBuilder"/>): a SAS in the query authorizes; otherwise
    /// <paramref name="accountKey"/> (Shared Key) is required.
    /// </summary>
    public static BlobRoutingSink Create(Uri containerUri, string? accountKey)
    {
        ArgumentNullException.ThrowIfNull(containerUri);
        var parts = new BlobUriBuilder(containerUri);
        if (string.IsNullOrEmpty(parts.AccountName) || string.IsNullOrEmpty(parts.BlobContainerName))
        {
            throw new ArgumentException("--routing blob URL must name an account and a container: https://{account}.blob.core.windows.net/{container} or http://127.0.0.1:{port}/{account}/{container}");
        }
        var hasSas = !string.IsNullOrEmpty(containerUri.Query);
        if (!hasSas && string.IsNullOrEmpty(accountKey))
        {
            throw new ArgumentException("--routing blob URL needs a SAS in its query or the storage account key (RoutingAccountKey).");
        }
        var prefix = (parts.BlobName ?? string.Empty).Trim('/');
        parts.BlobName = string.Empty;
        var withSas = parts.ToUri();
        parts.Sas = null;
        parts.Query = null;
        var withoutSas = parts.ToUri();
        var options = new BlobClientOptions();
        var container = hasSas
            ? new BlobContainerClient(withSas, options)
            : new BlobContainerClient(withoutSas, new StorageSharedKeyCredential(parts.AccountName, accountKey), options);
        // the description names the container, never the SAS or key
        var description = $"blob container {withoutSas.AbsoluteUri.TrimEnd('/')}{(prefix.Length > 0 ? "/" + prefix : "")}";
        return new BlobRoutingSink(container, prefix.Length > 0 ? prefix + "/" : "", description);
    }

    public async Task<string> WriteNewAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        for (var n = 0; n <= MaxSuffix; n++)
        {
            var candidate = n == 0 ? name : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{name}-{n:00}");
            try
            {
                await _container.GetBlobClient(_prefix + candidate).UploadAsync(BinaryData.FromBytes(content), CreateOnly, cancellationToken).ConfigureAwait(false);
                return candidate;
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobAlreadyExists || ex.ErrorCode == BlobErrorCode.ConditionNotMet)
            {
                // the name is taken (an earlier batch in the same minute): next suffix
            }
        }
        throw new IOException($"more than {MaxSuffix} batches for {name}");
    }

    public void Dispose() => _createGate.Dispose();

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_containerReady)
        {
            return;
        }
        await _createGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_containerReady)
            {
                await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                _containerReady = true;
            }
        }
        finally
        {
            _createGate.Release();
        }
    }
}
