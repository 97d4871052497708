using RetailEdge.BlobStorage;
using RetailEdge.Delta.Storage;

namespace RetailEdge.Lakehouse;

/// <summary>
/// Turns the `--source` / `--lake` strings into a source and a lake: a local folder, or an
/// https blob container URL (`https://{account}.blob.core…/{container}[/{prefix}]`) whose
/// credentials come from the named environment variable (a connection string), never from the URL.
/// </summary>
public static class LakeLocations
{
    public const string SourceConnectionStringVariable = "RETAILEDGE_SOURCE_CONNECTION_STRING";

    public static bool IsUrl(string location) =>
        Uri.TryCreate(location, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    public static ITelemetrySource OpenSource(string location, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        if (!IsUrl(location))
        {
            return new FolderTelemetrySource(location);
        }
        var uri = new Uri(location);
        var segments = uri.AbsolutePath.Trim('/').Split('/', 2);
        if (segments[0].Length == 0)
        {
            throw new ArgumentException("a blob source URL must name a container: https://{account}.blob.../{container}[/{prefix}]");
        }
        var connectionString = (environment ?? Environment.GetEnvironmentVariable)(SourceConnectionStringVariable)
            ?? throw new ArgumentException($"a blob source needs the storage connection string in {SourceConnectionStringVariable}");
        var client = BlobStorageClient.FromConnectionString(connectionString);
        var prefix = segments.Length > 1 && segments[1].Length > 0 ? segments[1].TrimEnd('/') + "/" : string.Empty;
        return new BlobTelemetrySource(client.GetContainerClient(segments[0]), prefix);
    }

    public const string LakeConnectionStringVariable = "RETAILEDGE_LAKE_CONNECTION_STRING";

    /// <summary>A folder lake, or a blob lake at `http(s)://…/{container}[/{prefix}]` (path-style URLs of the
    /// local emulator included) whose storage connection string is in RETAILEDGE_LAKE_CONNECTION_STRING.</summary>
    public static ILakeStoreFactory OpenLake(string location, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        if (!IsUrl(location))
        {
            return new LocalLakeStoreFactory(location);
        }
        if (!BlobUri.TryParse(location, out var uri, out var error))
        {
            throw new ArgumentException($"'{DeltaStoreLocator.Redact(location)}' is not a blob container URL: {error}");
        }
        if (uri.ContainerName.Length == 0)
        {
            throw new ArgumentException("a blob lake URL must name a container: https://{account}.blob.../{container}[/{prefix}]");
        }
        var connectionString = (environment ?? Environment.GetEnvironmentVariable)(LakeConnectionStringVariable)
            ?? throw new ArgumentException($"a blob lake needs the storage connection string in {LakeConnectionStringVariable}");
        var parsed = BlobConnectionString.Parse(connectionString);
        var client = new BlobStorageClient(new BlobStorageClientOptions { ServiceUri = uri.ServiceUri, SharedKey = parsed.SharedKey, SasToken = parsed.SasToken });
        return new BlobLakeStoreFactory(client, uri.ContainerName, uri.Path);
    }
}
