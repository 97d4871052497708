using RetailEdge.BlobStorage;

namespace RetailEdge.HubEmulator.Routing;

/// <summary>
/// Writes routed batches to a blob container (Azure Storage or Azurite) through the Blob REST
/// client. Each batch is created with If-None-Match: * — a single Put Blob, or blocks and one
/// Put Block List commit for large batches — so a blob appears whole or not at all and nothing
/// is ever overwritten; a taken name moves on to the "-{n:00}" suffix.
/// </summary>
public sealed class BlobRoutingSink : IRoutingSink, IDisposable
{
    private const int MaxSuffix = 999;
    private readonly BlobStorageClient _client;
    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly SemaphoreSlim _createGate = new(1, 1);
    private bool _containerReady;

    private BlobRoutingSink(BlobStorageClient client, string container, string prefix, string description)
    {
        _client = client;
        _container = client.GetContainerClient(container);
        _prefix = prefix;
        Description = description;
    }

    public string Description { get; }

    /// <summary>
    /// From a container URL (<c>http[s]://…/{account}/{container}[/{prefix}][?sas]</c>): a SAS in
    /// the query authorizes; otherwise <paramref name="accountKey"/> (Shared Key) is required.
    /// </summary>
    public static BlobRoutingSink Create(Uri containerUri, string? accountKey)
    {
        ArgumentNullException.ThrowIfNull(containerUri);
        if (!BlobUri.TryParse(containerUri.OriginalString, out var blobUri, out var error))
        {
            throw new ArgumentException($"--routing is not a blob container URL: {error}");
        }
        if (string.IsNullOrEmpty(blobUri.ContainerName))
        {
            throw new ArgumentException("--routing blob URL must name a container: …/{account}/{container}");
        }
        if (blobUri.SasToken is null && string.IsNullOrEmpty(accountKey))
        {
            throw new ArgumentException("--routing blob URL needs a SAS in its query or the storage account key (RoutingAccountKey).");
        }
        var options = new BlobStorageClientOptions
        {
            ServiceUri = blobUri.ServiceUri,
            SasToken = blobUri.SasToken,
            SharedKey = blobUri.SasToken is null ? new BlobSharedKeyCredential(blobUri.AccountName, accountKey!) : null,
        };
        var prefix = blobUri.Path.Trim('/');
        // the description names the container, never the SAS or key
        var description = $"blob container {blobUri.ServiceUri.GetLeftPart(UriPartial.Path).TrimEnd('/')}/{blobUri.ContainerName}{(prefix.Length > 0 ? "/" + prefix : "")}";
        return new BlobRoutingSink(new BlobStorageClient(options), blobUri.ContainerName, prefix.Length > 0 ? prefix + "/" : "", description);
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
                using var stream = new MemoryStream(content.ToArray(), writable: false);
                await _container.UploadAsync(_prefix + candidate, stream, new BlobUploadOptions
                {
                    Conditions = BlobRequestConditions.IfNotExists,
                    ContentType = "application/json",
                }, cancellationToken).ConfigureAwait(false);
                return candidate;
            }
            catch (BlobStorageException ex) when (ex.IsConditionFailure)
            {
                // the name is taken (an earlier batch in the same minute): next suffix
            }
        }
        throw new IOException($"more than {MaxSuffix} batches for {name}");
    }

    public void Dispose()
    {
        _client.Dispose();
        _createGate.Dispose();
    }

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
                await _container.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
                _containerReady = true;
            }
        }
        finally
        {
            _createGate.Release();
        }
    }
}
