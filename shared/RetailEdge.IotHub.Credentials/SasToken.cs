using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace RetailEdge.IotHub.Credentials;

/// <summary>
/// The fields of a parsed SAS token. <see cref="EncodedResource"/> is kept exactly as it
/// appears in the token because the signature covers that text (PROTOCOLS.md: "never re-encode").
/// </summary>
/// <param name="EncodedResource">the <c>sr</c> value as sent (still URL encoded)</param>
/// <param name="Resource">the <c>sr</c> value URL-decoded once</param>
/// <param name="Signature">the <c>sig</c> value URL-decoded (base64 text)</param>
/// <param name="ExpiryUnixSeconds">the <c>se</c> value</param>
/// <param name="KeyName">the <c>skn</c> value (policy tokens) or null</param>
public sealed record SasToken(string EncodedResource, string Resource, string Signature, long ExpiryUnixSeconds, string? KeyName)
{
    /// <summary>Tokens longer than this are rejected before any parsing work.</summary>
    public const int MaxLength = 4096;

    /// <summary>The expiry as a point in time.</summary>
    public DateTimeOffset ExpiresOn => DateTimeOffset.FromUnixTimeSeconds(ExpiryUnixSeconds);

    /// <summary>Parses a token or throws <see cref="FormatException"/> naming the problem (never the signature).</summary>
    public static SasToken Parse(string token) =>
        TryParse(token, out var parsed, out var error) ? parsed : throw new FormatException(error);

    /// <summary>Parses <c>SharedAccessSignature sr=…&amp;sig=…&amp;se=…[&amp;skn=…]</c> (fields in any order).</summary>
    public static bool TryParse(string? token, [NotNullWhen(true)] out SasToken? result, out string error)
    {
        result = null;
        if (string.IsNullOrEmpty(token))
        {
            error = "the token is empty";
            return false;
        }
        if (token.Length > MaxLength)
        {
            error = $"the token is longer than {MaxLength} characters";
            return false;
        }
        const string prefix = SharedAccessSignature.Scheme + " ";
        if (!token.StartsWith(prefix, StringComparison.Ordinal))
        {
            error = "the token does not start with 'SharedAccessSignature '";
            return false;
        }
        string? sr = null, sig = null, se = null, skn = null;
        foreach (var field in token[prefix.Length..].Split('&'))
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                error = "a token field is not of the form name=value";
                return false;
            }
            var value = field[(equals + 1)..];
            var duplicate = field[..equals] switch
            {
                "sr" => Assign(ref sr, value),
                "sig" => Assign(ref sig, value),
                "se" => Assign(ref se, value),
                "skn" => Assign(ref skn, value),
                _ => false, // unknown fields are ignored, as the hub does
            };
            if (duplicate)
            {
                error = $"the token field '{field[..equals]}' appears twice";
                return false;
            }
        }
        if (string.IsNullOrEmpty(sr) || string.IsNullOrEmpty(sig) || string.IsNullOrEmpty(se))
        {
            error = "the token lacks one of sr, sig, se";
            return false;
        }
        if (!long.TryParse(se, NumberStyles.None, CultureInfo.InvariantCulture, out var expiry) || expiry > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            error = "the token expiry 'se' is not a number of Unix seconds";
            return false;
        }
        if (!IotHubUrlEncoding.TryDecode(sr, out var resource) || !IotHubUrlEncoding.TryDecode(sig, out var signature))
        {
            error = "the token's sr or sig is not valid URL encoding";
            return false;
        }
        string? keyName = null;
        if (skn is not null && !IotHubUrlEncoding.TryDecode(skn, out keyName))
        {
            error = "the token's skn is not valid URL encoding";
            return false;
        }
        result = new SasToken(sr, resource, signature, expiry, keyName);
        error = string.Empty;
        return true;
    }

    /// <summary>Hides the signature so a parsed token can be logged.</summary>
    public override string ToString() =>
        $"SasToken {{ Resource = {Resource}, ExpiresOn = {ExpiresOn:O}, KeyName = {KeyName} }}";

    private static bool Assign(ref string? slot, string value)
    {
        if (slot is not null)
        {
            return true;
        }
        slot = value;
        return false;
    }
}
