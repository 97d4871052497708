namespace RetailEdge.IotHub.Credentials;

/// <summary>A token with its expiry and the time it should be replaced.</summary>
/// <param name="Token">the token text; a secret, never log it</param>
/// <param name="ExpiresOn">when the hub stops accepting it</param>
/// <param name="RenewAt">when a fresh token should be used (15 % of the lifetime before expiry by default)</param>
public sealed record IssuedSasToken(string Token, DateTimeOffset ExpiresOn, DateTimeOffset RenewAt)
{
    /// <summary>Hides the token text.</summary>
    public override string ToString() => $"IssuedSasToken {{ ExpiresOn = {ExpiresOn:O}, RenewAt = {RenewAt:O} }}";
}
