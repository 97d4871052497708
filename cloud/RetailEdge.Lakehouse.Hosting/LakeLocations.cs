using Azure.Storage.Blobs;
using RetailEdge.Delta.AzureBlob;
using RetailEdge.Lakehouse;

namespace RetailEdge.Lakehouse.Hosting;

/// <summary>
/// Turns the `--source` / `--lake` strings into a source and a lake: a local folder, or a blob
/// container URL — `https://{account}.blob.core…/{container}[/{prefix}]`, the emulator's path-style
/// `http://127.0.0.1:{port}/{account}/{container}[/{prefix}]`, or an ADLS Gen2 URL
/// (`abfss://{container}@{account}.dfs.core…/{prefix}`, `https://{account}.dfs.core…/{container}/…`),
/// which is served through the account's blob endpoint. Credentials never come from the URL: the
/// location's connection-string variable, or Azure.Identity (see <see cref="StorageAuthMode"/>).
/// </summary>
public static class LakeLocations
{
    public const string SourceConnectionStringVariable = "RETAILEDGE_SOURCE_CONNECTION_STRING";

    public const string LakeConnectionStringVariable = "RETAILEDGE_LAKE_CONNECTION_STRING";

    public static ITelemetrySource OpenSource(string location, Func<string, string?>? environment = null) =>
        OpenSource(location, new AzureAccess(environment));

    /// <summary>A folder, or the routed blobs under a container URL's prefix.</summary>
    public static ITelemetrySource OpenSource(string location, AzureAccess access)
    {
        ArgumentNullException.ThrowIfNull(access);
        if (ResolveSource(location, access) is not { } blob)
        {
            return new FolderTelemetrySource(location);
        }
        var prefix = blob.Uri.Path.Trim('/').Length > 0 ? blob.Uri.Path.Trim('/') + "/" : string.Empty;
        return new BlobTelemetrySource(CreateContainerClient(blob, access), prefix);
    }

    public static ILakeStoreFactory OpenLake(string location, Func<string, string?>? environment = null) =>
        OpenLake(location, new AzureAccess(environment));

    /// <summary>A folder lake, or a blob lake at a container URL (the container must exist).</summary>
    public static ILakeStoreFactory OpenLake(string location, AzureAccess access)
    {
        ArgumentNullException.ThrowIfNull(access);
        if (ResolveLake(location, access) is not { } blob)
        {
            return new LocalLakeStoreFactory(location);
        }
        return new BlobLakeStoreFactory(CreateContainerClient(blob, access), blob.Uri.Path);
    }

    /// <summary>
    /// Where the reference publisher writes sets too large for a twin: beside the lake, in its folder
    /// (file urls) or its container (read-only SAS urls valid for <paramref name="urlLifetime"/>).
    /// </summary>
    public static IReferenceSetStore OpenReferenceSetStore(string location, AzureAccess access, TimeSpan urlLifetime, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(access);
        if (ResolveLake(location, access) is not { } blob)
        {
            return new FolderReferenceSetStore(location);
        }
        return new BlobReferenceSetStore(CreateContainerClient(blob, access), blob.Uri.Path, urlLifetime, timeProvider);
    }

    /// <summary>Null for a folder; else the parsed URL and the authentication it will use. Throws
    /// <see cref="ArgumentException"/> (never echoing a query or a secret) when it cannot be opened.</summary>
    public static BlobLocation? ResolveSource(string location, AzureAccess access) =>
        Resolve(location, access, "blob source", SourceConnectionStringVariable);

    /// <inheritdoc cref="ResolveSource"/>
    public static BlobLocation? ResolveLake(string location, AzureAccess access) =>
        Resolve(location, access, "blob lake", LakeConnectionStringVariable);

    private static BlobLocation? Resolve(string location, AzureAccess access, string what, string connectionStringVariable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        ArgumentNullException.ThrowIfNull(access);
        if (!BlobUri.IsUrl(location))
        {
            return null;
        }
        if (!BlobUri.TryParse(location, out var uri, out var error))
        {
            throw new ArgumentException($"'{DeltaStoreLocator.Redact(location)}' is not a blob container URL: {error}");
        }
        if (uri.ContainerName.Length == 0)
        {
            throw new ArgumentException($"a {what} URL must name a container: https://{{account}}.blob.core.windows.net/{{container}}[/{{prefix}}] or abfss://{{container}}@{{account}}.dfs.core.windows.net[/{{prefix}}]");
        }
        if (uri.SasToken is not null)
        {
            // the URL is configuration that reaches logs and health output; a SAS in it would leak
            throw new ArgumentException($"a {what} URL must not carry a query (a SAS token): '{uri}' — put credentials in {connectionStringVariable} or use Azure.Identity");
        }
        var connectionString = access.Get(connectionStringVariable);
        var auth = access.StorageAuth switch
        {
            StorageAuthMode.ConnectionString when connectionString is null =>
                throw new ArgumentException($"a {what} with {AzureAccess.StorageAuthVariable}=connection-string needs the storage connection string in {connectionStringVariable}"),
            StorageAuthMode.ConnectionString => StorageAuthMode.ConnectionString,
            StorageAuthMode.AzureIdentity => StorageAuthMode.AzureIdentity,
            _ => connectionString is null ? StorageAuthMode.AzureIdentity : StorageAuthMode.ConnectionString,
        };
        if (auth == StorageAuthMode.ConnectionString)
        {
            try
            {
                BlobClientFactory.ValidateConnectionString(connectionString!);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{connectionStringVariable}: {e.Message}", e);
            }
        }
        else if (uri.ServiceUri.Scheme != Uri.UriSchemeHttps && !uri.ServiceUri.IsLoopback)
        {
            throw new ArgumentException($"a {what} with Azure.Identity needs an https (or abfss) URL: bearer tokens are never sent in clear text");
        }
        return new BlobLocation(uri, auth, what, connectionStringVariable);
    }

    /// <summary>The URL's container with the resolved credentials (the connection string must be for the URL's endpoint).</summary>
    private static BlobContainerClient CreateContainerClient(BlobLocation blob, AzureAccess access)
    {
        if (blob.Auth == StorageAuthMode.ConnectionString)
        {
            try
            {
                return BlobClientFactory.WithConnectionString(blob.Uri, access.Get(blob.ConnectionStringVariable)!, access.BlobHttpClient);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{blob.ConnectionStringVariable}: {e.Message}", e);
            }
        }
        var credential = access.CredentialFor($"the {blob.What} {blob.Uri} (no {blob.ConnectionStringVariable}; {AzureAccess.StorageAuthVariable}={(access.StorageAuth == StorageAuthMode.AzureIdentity ? "azure-identity" : "auto")})");
        return BlobClientFactory.WithTokenCredential(blob.Uri, credential, access.BlobHttpClient);
    }
}

/// <summary>A blob source or lake: its URL (without a SAS) and how it authenticates
/// (<see cref="StorageAuthMode.ConnectionString"/> or <see cref="StorageAuthMode.AzureIdentity"/>).</summary>
public sealed record BlobLocation(BlobUri Uri, StorageAuthMode Auth, string What, string ConnectionStringVariable)
{
    /// <summary>For logs: the URL and the kind of credential, never the credential.</summary>
    public override string ToString() =>
        $"{What} {Uri} ({(Auth == StorageAuthMode.ConnectionString ? "connection string from " + ConnectionStringVariable : "Azure.Identity")})";
}
