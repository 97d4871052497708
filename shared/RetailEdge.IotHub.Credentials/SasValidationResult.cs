namespace RetailEdge.IotHub.Credentials;

/// <summary>The outcome of <see cref="SasTokenValidator"/>: valid, or a reason code and a message safe to log.</summary>
/// <param name="Error">why the token was rejected, <see cref="SasValidationError.None"/> when valid</param>
/// <param name="Message">a human-readable explanation; never contains the signature or a key</param>
/// <param name="Token">the parsed token when it could be parsed</param>
public sealed record SasValidationResult(SasValidationError Error, string Message, SasToken? Token)
{
    /// <summary>True when the token is accepted.</summary>
    public bool IsValid => Error == SasValidationError.None;
}
