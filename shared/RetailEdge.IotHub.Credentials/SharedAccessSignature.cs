using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RetailEdge.IotHub.Credentials;

/// <summary>
/// Pure SAS token building blocks (PROTOCOLS.md, "SAS token"):
/// <c>SharedAccessSignature sr={urlenc(resource)}&amp;sig={urlenc(signature)}&amp;se={expiry}[&amp;skn={policy}]</c>
/// with signature = base64(HMAC-SHA256(base64decode(key), urlenc(resource) + "\n" + expiry)).
/// </summary>
public static class SharedAccessSignature
{
    /// <summary>The token's scheme prefix.</summary>
    public const string Scheme = "SharedAccessSignature";

    /// <summary>The SDK's default token lifetime.</summary>
    public static readonly TimeSpan DefaultTimeToLive = TimeSpan.FromSeconds(3600);

    /// <summary>The SDK renews a token when this fraction of its lifetime remains.</summary>
    public const double DefaultRenewalFraction = 0.15;

    /// <summary>Module resource URI: <c>{hostName}/devices/{urlenc(deviceId)}/modules/{urlenc(moduleId)}</c> (not yet encoded as a whole).</summary>
    public static string ModuleResourceUri(string hostName, string deviceId, string moduleId, bool lowerCaseHex = true) =>
        $"{hostName}/devices/{IotHubUrlEncoding.Encode(deviceId, lowerCaseHex)}/modules/{IotHubUrlEncoding.Encode(moduleId, lowerCaseHex)}";

    /// <summary>Device resource URI: <c>{hostName}/devices/{urlenc(deviceId)}</c>; a token for it also covers the device's modules.</summary>
    public static string DeviceResourceUri(string hostName, string deviceId, bool lowerCaseHex = true) =>
        $"{hostName}/devices/{IotHubUrlEncoding.Encode(deviceId, lowerCaseHex)}";

    /// <summary>The text that is signed: the encoded resource (the <c>sr</c> value), a line feed, the expiry in Unix seconds.</summary>
    public static string StringToSign(string encodedResourceUri, long expiryUnixSeconds) =>
        encodedResourceUri + "\n" + expiryUnixSeconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>base64(HMAC-SHA256(key, UTF-8(stringToSign))).</summary>
    public static string Sign(ReadOnlySpan<byte> key, string stringToSign)
    {
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign), hash);
        return Convert.ToBase64String(hash);
    }

    /// <summary>
    /// Assembles a token from an already encoded resource and a base64 signature (as returned by
    /// a signer such as the IoT Edge workload API).
    /// </summary>
    public static string FormatToken(string encodedResourceUri, string signature, long expiryUnixSeconds, string? keyName = null, bool lowerCaseHex = true)
    {
        var token = $"{Scheme} sr={encodedResourceUri}&sig={IotHubUrlEncoding.Encode(signature, lowerCaseHex)}&se={expiryUnixSeconds.ToString(CultureInfo.InvariantCulture)}";
        return keyName is null ? token : token + "&skn=" + IotHubUrlEncoding.Encode(keyName, lowerCaseHex);
    }

    /// <summary>
    /// Creates a token for <paramref name="resourceUri"/> (for example <see cref="ModuleResourceUri"/>)
    /// signed with the base64 <paramref name="sharedAccessKey"/>.
    /// </summary>
    /// <param name="keyName">the policy name for service tokens (<c>skn</c>); null for device/module tokens</param>
    /// <param name="lowerCaseHex">hex case of the URL encoding; lower case by default, upper case reproduces WebUtility/quote_plus output</param>
    public static string Create(string resourceUri, string sharedAccessKey, long expiryUnixSeconds, string? keyName = null, bool lowerCaseHex = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceUri);
        var key = DecodeKey(sharedAccessKey);
        var encoded = IotHubUrlEncoding.Encode(resourceUri, lowerCaseHex);
        var signature = Sign(key, StringToSign(encoded, expiryUnixSeconds));
        return FormatToken(encoded, signature, expiryUnixSeconds, keyName, lowerCaseHex);
    }

    /// <summary>Decodes a base64 shared access key; throws <see cref="FormatException"/> without echoing the key.</summary>
    public static byte[] DecodeKey(string sharedAccessKey)
    {
        ArgumentNullException.ThrowIfNull(sharedAccessKey);
        var buffer = new byte[sharedAccessKey.Length];
        if (!Convert.TryFromBase64String(sharedAccessKey, buffer, out var written) || written == 0)
        {
            throw new FormatException("the shared access key is not valid base64");
        }
        return buffer[..written];
    }
}
