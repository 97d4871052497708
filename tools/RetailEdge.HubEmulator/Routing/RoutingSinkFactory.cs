namespace RetailEdge.HubEmulator.Routing;

/// <summary>Chooses the routing sink from the --routing value: an http(s) URL is a blob container, anything else a folder.</summary>
public static class RoutingSinkFactory
{
    public static IRoutingSink Create(string target, string? accountKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        if (Uri.TryCreate(target, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return BlobRoutingSink.Create(uri, accountKey);
        }
        return new FolderRoutingSink(target);
    }
}
