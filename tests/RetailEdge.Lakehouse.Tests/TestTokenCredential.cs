using System.Text;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Identity;

namespace RetailEdge.Lakehouse.Tests;

/// <summary>
/// A TokenCredential of our own (Microsoft Entra cannot be reached here). It mints a JWT shaped like
/// Entra's — audience = the requested scope without "/.default", an Entra issuer, iat/nbf/exp — but
/// unsigned; Azurite's `--oauth basic` checks exactly those claims and not the signature, so a wrong
/// scope is refused by the real emulator. It records every scope asked for.
/// </summary>
public sealed class TestTokenCredential : TokenCredential
{
    private readonly object _gate = new();
    private readonly List<string> _scopes = [];
    private readonly string? _audience;
    private readonly bool _unavailable;

    /// <param name="audience">a fixed audience instead of the one the scope asks for (to be refused)</param>
    /// <param name="unavailable">throw CredentialUnavailableException like DefaultAzureCredential with nothing to use</param>
    public TestTokenCredential(string? audience = null, bool unavailable = false)
    {
        _audience = audience;
        _unavailable = unavailable;
    }

    /// <summary>A marker in every token, to check that no token reaches a message or log.</summary>
    public const string Marker = "tokenmarker";

    public IReadOnlyList<string> Scopes
    {
        get
        {
            lock (_gate)
            {
                return [.. _scopes];
            }
        }
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _scopes.AddRange(requestContext.Scopes);
        }
        if (_unavailable)
        {
            throw new CredentialUnavailableException("DefaultAzureCredential failed to retrieve a token from the included credentials (test: no managed identity endpoint)");
        }
        var now = DateTimeOffset.UtcNow;
        var audience = _audience ?? requestContext.Scopes[0].Replace("/.default", string.Empty, StringComparison.Ordinal);
        var claims = new JsonObject
        {
            ["aud"] = audience,
            ["iss"] = "https://sts.windows.net/00000000-0000-0000-0000-000000000001/",
            ["iat"] = now.AddMinutes(-5).ToUnixTimeSeconds(),
            ["nbf"] = now.AddMinutes(-5).ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
            ["oid"] = Marker,
        };
        var token = Base64Url("""{"alg":"none","typ":"JWT"}""") + "." + Base64Url(claims.ToJsonString()) + ".";
        return new AccessToken(token, now.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));

    private static string Base64Url(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
