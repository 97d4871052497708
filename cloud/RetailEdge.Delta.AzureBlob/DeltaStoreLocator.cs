using Azure.Core;
using Azure.Identity;
using RetailEdge.Delta.Storage;

namespace RetailEdge.Delta.AzureBlob;

/// <summary>
/// Opens the store behind a lake path: a local folder (or file: URI), or an Azure Blob URL
/// (https://account.blob.core.windows.net/container/path, or the emulator's path-style URL), or an
/// ADLS Gen2 URL (abfss://container@account.dfs.core.windows.net/path or
/// https://account.dfs.core.windows.net/container/path), read through the account's blob endpoint.
/// Blob credentials, first found wins: a SAS in the URL; RETAILEDGE_STORAGE_CONNECTION_STRING,
/// RETAILEDGE_LAKE_CONNECTION_STRING (the processor's, so its lake can be inspected with the same
/// environment) or AZURE_STORAGE_CONNECTION_STRING; AZURE_STORAGE_SAS_TOKEN; otherwise DefaultAzureCredential.
/// </summary>
public static class DeltaStoreLocator
{
    public const string ConnectionStringVariable = "RETAILEDGE_STORAGE_CONNECTION_STRING";

    public const string LakeConnectionStringVariable = "RETAILEDGE_LAKE_CONNECTION_STRING";

    public const string AzureConnectionStringVariable = "AZURE_STORAGE_CONNECTION_STRING";

    public const string SasVariable = "AZURE_STORAGE_SAS_TOKEN";

    /// <summary>The store for <paramref name="location"/>.</summary>
    /// <param name="environment">reads an environment variable (tests pass their own)</param>
    /// <param name="credentialFactory">the Azure.Identity credential when no SAS or connection string is found (default DefaultAzureCredential)</param>
    /// <param name="httpClient">the blob client's transport, not disposed with the store (default the SDK's own)</param>
    public static IDeltaLogStore Open(string location, Func<string, string?>? environment = null,
        Func<TokenCredential>? credentialFactory = null, HttpClient? httpClient = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        environment ??= Environment.GetEnvironmentVariable;
        if (!BlobUri.IsUrl(location))
        {
            return new LocalDeltaLogStore(location);
        }
        if (!BlobUri.TryParse(location, out var uri, out var error))
        {
            throw new ArgumentException($"'{Redact(location)}' is not a blob table URL: {error}", nameof(location));
        }
        if (uri.ContainerName.Length == 0)
        {
            throw new ArgumentException($"'{uri}' names no container (https://account.blob.core.windows.net/container/path or abfss://container@account.dfs.core.windows.net/path)", nameof(location));
        }
        var connectionString = new[] { ConnectionStringVariable, LakeConnectionStringVariable, AzureConnectionStringVariable }
            .Select(environment).FirstOrDefault(value => !string.IsNullOrWhiteSpace(value));
        var container = uri.SasToken is not null ? BlobClientFactory.WithSas(uri, uri.SasToken, httpClient)
            : !string.IsNullOrWhiteSpace(connectionString) ? BlobClientFactory.WithConnectionString(uri, connectionString, httpClient)
            : environment(SasVariable) is { Length: > 0 } sas ? BlobClientFactory.WithSas(uri, sas, httpClient)
            : BlobClientFactory.WithTokenCredential(uri, credentialFactory?.Invoke() ?? new DefaultAzureCredential(), httpClient);
        return new BlobDeltaLogStore(container, uri.Path);
    }

    /// <summary>A URL without its query (a SAS must never reach a message).</summary>
    public static string Redact(string location)
    {
        ArgumentNullException.ThrowIfNull(location);
        var query = location.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? location : location[..query] + "?…";
    }
}
