namespace RetailEdge.BlobStorage;

/// <summary>A storage account name and key for Shared Key authorization. The key never appears in
/// <see cref="ToString"/>, logs or exception messages.</summary>
public sealed class BlobSharedKeyCredential
{
    private readonly byte[] _key;

    /// <param name="accountName">the storage account, e.g. devstoreaccount1</param>
    /// <param name="accountKey">the account key, base64 as shown by the portal</param>
    public BlobSharedKeyCredential(string accountName, string accountKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountName);
        ArgumentException.ThrowIfNullOrWhiteSpace(accountKey);
        AccountName = accountName;
        try
        {
            _key = Convert.FromBase64String(accountKey);
        }
        catch (FormatException)
        {
            // Do not echo the key: it is a secret even when malformed.
            throw new ArgumentException("The account key is not valid base64.", nameof(accountKey));
        }
    }

    public string AccountName { get; }

    internal ReadOnlySpan<byte> Key => _key;

    public override string ToString() => $"SharedKey({AccountName})";
}
