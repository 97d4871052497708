namespace RetailEdge.HubEmulator;

/// <summary>
/// If-Match against an ETag, as IoT Hub applies it to twins and identities: absent, <c>*</c> or
/// <c>"*"</c> match anything (the service SDKs send the quoted form); otherwise the value, with
/// or without quotes and a weak <c>W/</c> prefix, must equal the ETag.
/// </summary>
public static class ETags
{
    public static bool Matches(string? ifMatch, string etag)
    {
        if (string.IsNullOrWhiteSpace(ifMatch))
        {
            return true;
        }
        var value = ifMatch.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }
        value = value.Trim('"');
        return value == "*" || value == etag;
    }

    /// <summary>The header form of an ETag: quoted.</summary>
    public static string Quote(string etag) => "\"" + etag + "\"";
}
