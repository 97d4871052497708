using System.Security.Cryptography;
using System.Text;

namespace RetailEdge.IotHub.Credentials;

/// <summary>
/// Validates SAS tokens on the hub side (the emulator) exactly as PROTOCOLS.md describes: recompute
/// the HMAC over the <c>sr</c> value as it appears in the token (still URL encoded) + "\n" + <c>se</c>,
/// compare in constant time, reject an <c>se</c> in the past, and require the decoded <c>sr</c> to equal
/// the identity's resource URI case-insensitively or be a prefix of it at a '/' boundary (a
/// device-scoped token is valid for the device's modules). Pure: the caller supplies the time.
/// </summary>
public static class SasTokenValidator
{
    /// <summary>Validates a device or module token against the identity's keys (primary, secondary…).</summary>
    /// <param name="token">the CONNECT password or Authorization header value</param>
    /// <param name="expectedResourceUri">the identity's resource, e.g. <see cref="SharedAccessSignature.ModuleResourceUri"/></param>
    /// <param name="keys">the identity's decoded keys; any match is accepted</param>
    /// <param name="now">the current time</param>
    public static SasValidationResult Validate(string? token, string expectedResourceUri, IReadOnlyList<byte[]> keys, DateTimeOffset now) =>
        Validate(token, expectedResourceUri, keys, now, requiredKeyName: null);

    /// <summary>
    /// Validates a service-policy token (<c>skn</c> = <paramref name="requiredKeyName"/>, <c>sr</c> the
    /// hub host name or a resource below it) against the policy's keys.
    /// </summary>
    public static SasValidationResult ValidatePolicy(string? token, string hostName, string requiredKeyName, IReadOnlyList<byte[]> keys, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(requiredKeyName);
        return Validate(token, hostName, keys, now, requiredKeyName);
    }

    /// <summary>Convenience overload with base64 keys (as stored in a connection string or registry).</summary>
    public static SasValidationResult Validate(string? token, string expectedResourceUri, DateTimeOffset now, params string[] base64Keys) =>
        Validate(token, expectedResourceUri, base64Keys.Select(SharedAccessSignature.DecodeKey).ToArray(), now);

    /// <summary>
    /// True when <paramref name="resource"/> (decoded <c>sr</c>) equals <paramref name="expectedResourceUri"/>
    /// ignoring case, or is a prefix of it ending at a '/' boundary.
    /// </summary>
    public static bool ResourceMatches(string resource, string expectedResourceUri)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(expectedResourceUri);
        var trimmed = resource.TrimEnd('/');
        if (trimmed.Length == 0)
        {
            return false;
        }
        if (string.Equals(trimmed, expectedResourceUri.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return expectedResourceUri.Length > trimmed.Length
            && expectedResourceUri[trimmed.Length] == '/'
            && expectedResourceUri.StartsWith(trimmed, StringComparison.OrdinalIgnoreCase);
    }

    private static SasValidationResult Validate(string? token, string expectedResourceUri, IReadOnlyList<byte[]> keys, DateTimeOffset now, string? requiredKeyName)
    {
        ArgumentException.ThrowIfNullOrEmpty(expectedResourceUri);
        ArgumentNullException.ThrowIfNull(keys);
        if (!SasToken.TryParse(token, out var parsed, out var parseError))
        {
            return new SasValidationResult(SasValidationError.Malformed, parseError, null);
        }
        if (!string.Equals(parsed.KeyName, requiredKeyName, StringComparison.Ordinal))
        {
            return new SasValidationResult(SasValidationError.KeyNameMismatch,
                requiredKeyName is null ? "a policy token (skn) is not accepted for a device identity" : $"the token is not for policy '{requiredKeyName}'", parsed);
        }
        if (parsed.ExpiryUnixSeconds <= now.ToUnixTimeSeconds())
        {
            return new SasValidationResult(SasValidationError.Expired, $"the token expired at {parsed.ExpiresOn:O}", parsed);
        }
        if (!ResourceMatches(parsed.Resource, expectedResourceUri))
        {
            return new SasValidationResult(SasValidationError.ResourceMismatch, $"the token's resource '{parsed.Resource}' does not cover '{expectedResourceUri}'", parsed);
        }

        Span<byte> presented = stackalloc byte[64];
        if (!Convert.TryFromBase64String(parsed.Signature, presented, out var presentedLength) || presentedLength != HMACSHA256.HashSizeInBytes)
        {
            return new SasValidationResult(SasValidationError.SignatureMismatch, "the token signature is not a base64 HMAC-SHA256", parsed);
        }
        // PROTOCOLS.md: the HMAC covers the sr text exactly as sent, whatever hex case the client used
        var data = Encoding.UTF8.GetBytes(SharedAccessSignature.StringToSign(parsed.EncodedResource, parsed.ExpiryUnixSeconds));
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var matched = false;
        foreach (var key in keys)
        {
            HMACSHA256.HashData(key, data, expected);
            // constant-time compare; every key is tried so timing does not reveal which one matched
            matched |= CryptographicOperations.FixedTimeEquals(expected, presented[..presentedLength]);
        }
        return matched
            ? new SasValidationResult(SasValidationError.None, "valid", parsed)
            : new SasValidationResult(SasValidationError.SignatureMismatch, "the token signature does not match the identity's keys", parsed);
    }
}
