using System.Net;

namespace RetailEdge.BlobStorage;

/// <summary>
/// A parsed blob URL: <c>https://{account}.blob.core.windows.net/{container}/{path}</c>
/// (host-style) or <c>http://127.0.0.1:10000/{account}/{container}/{path}</c> (path-style, used
/// when the host is an IP address or localhost, as the emulator does). The Hadoop/Spark forms
/// <c>abfss://{container}@{account}.dfs.core.windows.net/{path}</c> (and abfs, wasbs, wasb) and
/// <c>https://{account}.dfs.core.windows.net/…</c> are accepted and mapped to the blob endpoint,
/// which ADLS Gen2 accounts also serve. A query, if any, is kept as <see cref="SasToken"/> and
/// never printed by <see cref="ToString"/>.
/// </summary>
public sealed record BlobUri
{
    /// <summary>The account endpoint (no trailing slash), e.g. https://acct.blob.core.windows.net.</summary>
    public required Uri ServiceUri { get; init; }

    public required string AccountName { get; init; }

    /// <summary>The container, or empty when the URL names only the account.</summary>
    public required string ContainerName { get; init; }

    /// <summary>The blob name or prefix inside the container, unescaped, without a leading '/'.</summary>
    public required string Path { get; init; }

    /// <summary>The URL's query (a SAS), without '?', or null.</summary>
    public string? SasToken { get; init; }

    private static readonly string[] UrlSchemes = ["https", "http", "abfss", "abfs", "wasbs", "wasb"];

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
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.None).Skip(1).ToList();
        string account;
        var authority = uri.GetLeftPart(UriPartial.Authority);
        Uri service;
        if (IsPathStyle(uri))
        {
            if (segments.Count == 0 || segments[0].Length == 0)
            {
                error = "a path-style URL (IP address or localhost) must start with the account name";
                return false;
            }
            account = Uri.UnescapeDataString(segments[0]);
            segments.RemoveAt(0);
            service = new Uri(authority + "/" + Uri.EscapeDataString(account));
        }
        else
        {
            account = uri.Host.Split('.')[0];
            service = new Uri(authority);
        }
        var container = segments.Count > 0 ? Uri.UnescapeDataString(segments[0]) : string.Empty;
        var path = segments.Count > 1 ? Uri.UnescapeDataString(string.Join('/', segments.Skip(1))) : string.Empty;
        if (container.Length > 0 && !BlobNames.IsValidContainerName(container))
        {
            error = $"'{container}' is not a valid container name (3-63 lowercase letters, digits and single hyphens, or $root/$logs/$web)";
            return false;
        }
        result = new BlobUri
        {
            ServiceUri = service,
            AccountName = account,
            ContainerName = container,
            Path = path,
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
            normalized = $"{(secure ? "https" : "http")}://{ToBlobHost(host)}/{container}{(tail.StartsWith('?') ? tail : tail.Length > 0 ? tail : string.Empty)}";
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

    /// <summary>The account name an endpoint designates.</summary>
    internal static string AccountNameOf(Uri serviceUri) =>
        IsPathStyle(serviceUri)
            ? Uri.UnescapeDataString(serviceUri.AbsolutePath.Trim('/').Split('/')[0])
            : serviceUri.Host.Split('.')[0];

    /// <summary>IP hosts and localhost address accounts by the first path segment (the emulator's convention).</summary>
    internal static bool IsPathStyle(Uri uri) =>
        uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || IPAddress.TryParse(uri.Host, out _) ||
        string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>The URL without its SAS.</summary>
    public override string ToString()
    {
        var text = ServiceUri.AbsoluteUri.TrimEnd('/');
        if (ContainerName.Length > 0)
        {
            text += "/" + ContainerName;
            if (Path.Length > 0)
            {
                text += "/" + BlobNames.EscapePath(Path);
            }
        }
        return text;
    }
}
