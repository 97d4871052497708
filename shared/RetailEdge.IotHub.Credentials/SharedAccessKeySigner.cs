namespace RetailEdge.IotHub.Credentials;

/// <summary>Signs with a shared access key held in memory (module connection string outside IoT Edge).</summary>
public sealed class SharedAccessKeySigner : ISasTokenSigner
{
    private readonly byte[] _key;

    /// <param name="sharedAccessKey">the base64 key; validated here so a bad key fails at start</param>
    public SharedAccessKeySigner(string sharedAccessKey)
    {
        _key = SharedAccessSignature.DecodeKey(sharedAccessKey);
    }

    /// <inheritdoc />
    public Task<string> SignAsync(string stringToSign, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stringToSign);
        return Task.FromResult(SharedAccessSignature.Sign(_key, stringToSign));
    }

    /// <summary>Never shows the key.</summary>
    public override string ToString() => nameof(SharedAccessKeySigner) + " (key redacted)";
}
