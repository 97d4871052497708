namespace RetailEdge.IotHub.Credentials;

/// <summary>
/// Signs a SAS string-to-sign with HMAC-SHA256 and returns the base64 signature. Either a local
/// key (<see cref="SharedAccessKeySigner"/>) or the IoT Edge workload API (RetailEdge.IotHub's WorkloadApiClient),
/// which holds the module key so the module never sees it.
/// </summary>
public interface ISasTokenSigner
{
    /// <summary>base64(HMAC-SHA256(key, UTF-8(<paramref name="stringToSign"/>))).</summary>
    Task<string> SignAsync(string stringToSign, CancellationToken cancellationToken);
}
