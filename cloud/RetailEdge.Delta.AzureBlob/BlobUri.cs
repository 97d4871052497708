namespace RetailEdge.Delta.AzureBlob;

/// <summary>
/// A blob location given as text: <c>https://{account}.blob.core.windows.net/{container}/{path}</c>,
/// the emulator's path-style <c>http://127.0.0.1:{port}/{account}/{container}/{path}</c>, or the
/// Hadoop/Spark forms <c>abfss://{container}@{account}.dfs.core.windows.net/{path}</c> (and abfs,
/// wasbs, wasb) and <c>https://{account}.dfs.core.windows.net/…</c>. Azure.Storage.Blobs'
/// <see cref="Azure.Storage.Blobs.BlobUriBuilder"/> splits blob URLs (host-style, and path-style
/// for IP hosts and the emulator ports); what it does not know is kept here: the abfss/wasbs
/// schemes and the dfs host, both mapped to the account's blob endpoint, which ADLS Gen2 accounts
/// also serve (as Spark's and delta-rs's Delta stores do). A query, if any, is kept as
/// <see cref="SasToken"/> and never printed by <see cref="ToString"/>.
/// </summary>
public sealed record BlobUri
{
    private static readonly string[] UrlSchemes = ["https", "http", "abfss", "abfs", "wasbs", "wasb"];

    /// <summary>The account endpoint, e.g. https://acct.blob.core.windows.net/ or http://127.0.0.1:10000/devstoreaccount1.</summary>
    public required Uri ServiceUri { get; init; }

    public required string AccountName { get; init; }

    /// <summary>The container, or empty when the URL names only the account.</summary>
    public required string ContainerName { get; init; }

    /// <summary>The blob name or prefix inside the container, unescaped, without a leading '/'.</summary>
    public required string Path { get; init; }

    /// <summary>The URL's query (a SAS), without '?', or null.</summary>
    public string? SasToken { get; init; }

    /// <summary>The container's URL without a SAS.</summary>
    public Uri ContainerUri => new(ServiceUri.AbsoluteUri.TrimEnd('/') + "/" + ContainerName);

    /// <summary>
    /// True when <paramref name="location"/> starts with a scheme this type parses (http(s), abfs(s),
    /// wasb(s)): a blob location rather than a local folder. Whether it parses is <see cref="TryParse"/>'s call.
    /// </summary>
    public static bool IsUrl(string location)
    {
        ArgumentNullException.ThrowIfNull(location);
        var end = location.IndexOf("://", StringComparison.Ordinal);
        return end > 0 && UrlSchemes.Contains(location[..end], StringComparer.OrdinalIgnoreCase);
    }

    public static BlobUri Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return TryParse(url, out var result, out var error) ? result : throw new FormatException(error);
    }

    public static bool TryParse(string url, out BlobUri result, out string error)
    {
        result = null!;
        if (url is null)
        {
            error = "no URL";
            return false;
        }
        if (!TryNormalize(url, out var normalized, out error))
        {
            return false;
        }
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            error = "not an absolute http(s), abfss or wasbs URL";
            return false;
        }
        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment))
        {
            error = "a blob URL has no user information or fragment";
            return false;
        }
        var parts = new Azure.Storage.Blobs.BlobUriBuilder(uri);
        if (string.IsNullOrEmpty(parts.AccountName))
        {
            error = "the URL names no storage account (https://{account}.blob.core.windows.net/… or, path-style, http://127.0.0.1:{port}/{account}/…)";
            return false;
        }
        var container = parts.BlobContainerName ?? string.Empty;
        if (container.Length > 0 && !IsValidContainerName(container))
        {
            error = $"'{container}' is not a valid container name (3-63 lowercase letters, digits and single hyphens, or $root/$logs/$web)";
            return false;
        }
        var path = parts.BlobName ?? string.Empty;
        parts.BlobContainerName = string.Empty;
        parts.BlobName = string.Empty;
        parts.Sas = null;
        parts.Query = null;
        result = new BlobUri
        {
            ServiceUri = parts.ToUri(),
            AccountName = parts.AccountName,
            ContainerName = container,
            Path = path.Trim('/'),
            SasToken = string.IsNullOrEmpty(uri.Query) ? null : uri.Query.TrimStart('?'),
        };
        error = string.Empty;
        return true;
    }

    /// <summary>
    /// abfs[s]://container@account.dfs.core.windows.net/path and wasb[s]://container@account.blob…/path
    /// become https://account.blob…/container/path; a dfs host becomes the blob host.
    /// </summary>
    private static bool TryNormalize(string url, out string normalized, out string error)
    {
        normalized = url;
        error = string.Empty;
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            error = "not an absolute URL";
            return false;
        }
        var scheme = url[..schemeEnd].ToLowerInvariant();
        var rest = url[(schemeEnd + 3)..];
        if (scheme is "abfss" or "abfs" or "wasbs" or "wasb")
        {
            var at = rest.IndexOf('@', StringComparison.Ordinal);
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (at <= 0 || (slash >= 0 && slash < at))
            {
                error = $"a {scheme} URL names the container before '@': {scheme}://container@account.dfs.core.windows.net/path";
                return false;
            }
            var container = rest[..at];
            var hostAndPath = rest[(at + 1)..];
            var pathStart = hostAndPath.IndexOfAny(['/', '?']);
            var host = pathStart < 0 ? hostAndPath : hostAndPath[..pathStart];
            var tail = pathStart < 0 ? string.Empty : hostAndPath[pathStart..];
            var secure = scheme is "abfss" or "wasbs";
            normalized = $"{(secure ? "https" : "http")}://{ToBlobHost(host)}/{container}{tail}";
            return true;
        }
        if (scheme is "https" or "http")
        {
            var pathStart = rest.IndexOfAny(['/', '?']);
            var host = pathStart < 0 ? rest : rest[..pathStart];
            normalized = $"{scheme}://{ToBlobHost(host)}{(pathStart < 0 ? string.Empty : rest[pathStart..])}";
        }
        return true;
    }

    private static string ToBlobHost(string host)
    {
        var dfs = host.IndexOf(".dfs.", StringComparison.OrdinalIgnoreCase);
        return dfs < 0 ? host : host[..dfs] + ".blob." + host[(dfs + ".dfs.".Length)..];
    }

    /// <summary>3-63 lowercase letters, digits and single hyphens, starting and ending with a letter
    /// or digit, or a special container (the service's rule; the SDK does not check it before sending).</summary>
    private static bool IsValidContainerName(string name) =>
        name is "$root" or "$logs" or "$web"
        || (name.Length is >= 3 and <= 63 && name[0] != '-' && name[^1] != '-' && !name.Contains("--", StringComparison.Ordinal)
            && name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'));

    /// <summary>The URL without its SAS.</summary>
    public override string ToString()
    {
        var text = ServiceUri.AbsoluteUri.TrimEnd('/');
        if (ContainerName.Length > 0)
        {
            text += "/" + ContainerName;
            if (Path.Length > 0)
            {
                text += "/" + string.Join('/', Path.Split('/').Select(Uri.EscapeDataString));
            }
        }
        return text;
    }
}
