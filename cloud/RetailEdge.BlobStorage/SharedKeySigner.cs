using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace RetailEdge.BlobStorage;

/// <summary>
/// Shared Key authorization for the Blob service ("Authorize with Shared Key", version
/// 2009-09-19 and later): HMAC-SHA256 over the verb, the standard headers, the canonicalized
/// x-ms-* headers and the canonicalized resource. Pure: no I/O, so it is unit-testable.
/// </summary>
internal static class SharedKeySigner
{
    /// <summary>Adds the Authorization header; x-ms-date and x-ms-version must already be set.</summary>
    public static void Sign(HttpRequestMessage request, BlobSharedKeyCredential credential)
    {
        var stringToSign = BuildStringToSign(request, credential.AccountName);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(credential.Key, Encoding.UTF8.GetBytes(stringToSign)));
        request.Headers.TryAddWithoutValidation("Authorization", $"SharedKey {credential.AccountName}:{signature}");
    }

    internal static string BuildStringToSign(HttpRequestMessage request, string accountName)
    {
        var content = request.Content?.Headers;
        // Content-Length is the empty string when zero (versions 2015-02-21 and later).
        var length = content?.ContentLength is > 0 ? content.ContentLength.Value.ToString(CultureInfo.InvariantCulture) : string.Empty;
        var builder = new StringBuilder(512);
        builder.Append(request.Method.Method.ToUpperInvariant()).Append('\n')
            .Append(Join(content, "Content-Encoding")).Append('\n')
            .Append(Join(content, "Content-Language")).Append('\n')
            .Append(length).Append('\n')
            .Append(content?.ContentMD5 is { } md5 ? Convert.ToBase64String(md5) : string.Empty).Append('\n')
            .Append(content?.ContentType?.ToString() ?? string.Empty).Append('\n')
            .Append(string.Empty).Append('\n') // Date: empty because x-ms-date is sent
            .Append(Join(request.Headers, "If-Modified-Since")).Append('\n')
            .Append(Join(request.Headers, "If-Match")).Append('\n')
            .Append(Join(request.Headers, "If-None-Match")).Append('\n')
            .Append(Join(request.Headers, "If-Unmodified-Since")).Append('\n')
            .Append(Join(request.Headers, "Range")).Append('\n');
        AppendCanonicalizedHeaders(builder, request);
        AppendCanonicalizedResource(builder, request.RequestUri!, accountName);
        return builder.ToString();
    }

    /// <summary>x-ms-* headers: lowercase names sorted, "name:value\n", whitespace in values folded.</summary>
    private static void AppendCanonicalizedHeaders(StringBuilder builder, HttpRequestMessage request)
    {
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: h.Key.ToLowerInvariant(), Value: string.Join(",", h.Value.Select(FoldWhitespace))))
            .OrderBy(h => h.Name, StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }
    }

    /// <summary>"/account/path" then, per query parameter sorted by lowercase name, "\nname:v1,v2" with values decoded.</summary>
    private static void AppendCanonicalizedResource(StringBuilder builder, Uri uri, string accountName)
    {
        builder.Append('/').Append(accountName).Append(uri.AbsolutePath.Length > 0 ? uri.AbsolutePath : "/");
        if (string.IsNullOrEmpty(uri.Query) || uri.Query == "?")
        {
            return;
        }
        var parameters = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]).ToLowerInvariant();
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            if (!parameters.TryGetValue(name, out var values))
            {
                parameters[name] = values = [];
            }
            values.Add(value);
        }
        foreach (var (name, values) in parameters)
        {
            values.Sort(StringComparer.Ordinal);
            builder.Append('\n').Append(name).Append(':').Append(string.Join(',', values));
        }
    }

    private static string Join(HttpHeaders? headers, string name) =>
        headers is not null && headers.TryGetValues(name, out var values) ? string.Join(",", values) : string.Empty;

    private static string FoldWhitespace(string value)
    {
        var trimmed = value.Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal))
        {
            return trimmed;
        }
        var builder = new StringBuilder(trimmed.Length);
        var previousSpace = false;
        foreach (var c in trimmed)
        {
            if (c == ' ')
            {
                if (!previousSpace)
                {
                    builder.Append(c);
                }
                previousSpace = true;
            }
            else
            {
                builder.Append(c);
                previousSpace = false;
            }
        }
        return builder.ToString();
    }
}
