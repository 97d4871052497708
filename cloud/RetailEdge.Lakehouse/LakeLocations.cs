using RetailEdge.BlobStorage;

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

    public static ILakeStoreFactory OpenLake(string location)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        if (IsUrl(location))
        {
            throw new ArgumentException("a blob lake needs a Delta log store on Azure Blob (put-if-absent commits), which this build does not have yet; use a local folder");
        }
        return new LocalLakeStoreFactory(location);
    }
}
