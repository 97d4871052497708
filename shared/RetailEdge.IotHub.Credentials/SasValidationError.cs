namespace RetailEdge.IotHub.Credentials;

/// <summary>Why a SAS token was rejected; a stable reason code for logs and counters.</summary>
public enum SasValidationError
{
    /// <summary>The token is valid.</summary>
    None = 0,

    /// <summary>Not a well-formed SAS token (missing fields, bad number, bad encoding, too long).</summary>
    Malformed,

    /// <summary><c>se</c> is in the past.</summary>
    Expired,

    /// <summary>The decoded <c>sr</c> is neither the identity's resource nor a prefix of it at a '/' boundary.</summary>
    ResourceMismatch,

    /// <summary><c>skn</c> differs from the policy required (or is present/absent when it should not be).</summary>
    KeyNameMismatch,

    /// <summary>The HMAC does not match any of the keys given.</summary>
    SignatureMismatch,
}
