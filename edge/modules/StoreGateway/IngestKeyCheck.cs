using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace StoreGateway;

/// <summary>
/// Checks the store's ingest key on HTTP ingest: <c>Authorization: Bearer &lt;key&gt;</c> or
/// <c>X-Api-Key: &lt;key&gt;</c>. Only the key's SHA-256 is kept, and digests are compared in constant
/// time, so neither the content nor the length of the key leaks through timing. Without a configured
/// key nothing is authorised (fail closed).
/// </summary>
public sealed class IngestKeyCheck
{
    public const string ApiKeyHeader = "X-Api-Key";

    private readonly byte[]? _keyDigest;

    public IngestKeyCheck(string? key)
    {
        _keyDigest = string.IsNullOrEmpty(key) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(key));
    }

    public bool IsConfigured => _keyDigest is not null;

    public bool IsAuthorized(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_keyDigest is null || PresentedKey(request) is not { Length: > 0 } presented)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _keyDigest);
    }

    private static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue(ApiKeyHeader, out var apiKey) && apiKey.Count == 1)
        {
            return apiKey[0];
        }
        if (request.Headers.Authorization.Count == 1
            && AuthenticationHeaderValue.TryParse(request.Headers.Authorization[0], out var authorization)
            && string.Equals(authorization.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return authorization.Parameter;
        }
        return null;
    }
}
