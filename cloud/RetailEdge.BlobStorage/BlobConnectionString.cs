namespace RetailEdge.BlobStorage;

/// <summary>
/// Parses Azure Storage connection strings (AccountName, AccountKey, BlobEndpoint,
/// DefaultEndpointsProtocol, EndpointSuffix, SharedAccessSignature, and
/// UseDevelopmentStorage=true). Errors name the missing key, never echo a value.
/// </summary>
public static class BlobConnectionString
{
    /// <summary>The emulator's well-known development account (public, not a secret).</summary>
    private const string DevelopmentAccount = "devstoreaccount1";

    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>Client options for the connection string; other options keep their defaults.</summary>
    public static BlobStorageClientOptions Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException("The storage connection string has a part without 'name=value'.");
            }
            // Values may contain '=' (base64 keys, SAS), so split on the first one only.
            parts[part[..equals].Trim()] = part[(equals + 1)..].Trim();
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out var development) && bool.TryParse(development, out var useDevelopment) && useDevelopment)
        {
            var proxy = parts.TryGetValue("DevelopmentStorageProxyUri", out var proxyUri) ? proxyUri.TrimEnd('/') : "http://127.0.0.1";
            return new BlobStorageClientOptions
            {
                ServiceUri = new Uri($"{proxy}:10000/{DevelopmentAccount}"),
                SharedKey = new BlobSharedKeyCredential(DevelopmentAccount, DevelopmentKey),
            };
        }

        parts.TryGetValue("AccountName", out var accountName);
        parts.TryGetValue("AccountKey", out var accountKey);
        parts.TryGetValue("SharedAccessSignature", out var sas);
        Uri serviceUri;
        if (parts.TryGetValue("BlobEndpoint", out var blobEndpoint))
        {
            if (!Uri.TryCreate(blobEndpoint.TrimEnd('/'), UriKind.Absolute, out serviceUri!))
            {
                throw new FormatException("BlobEndpoint in the storage connection string is not an absolute URL.");
            }
        }
        else
        {
            if (string.IsNullOrEmpty(accountName))
            {
                throw new FormatException("The storage connection string needs AccountName or BlobEndpoint.");
            }
            var protocol = parts.TryGetValue("DefaultEndpointsProtocol", out var p) ? p.ToLowerInvariant() : "https";
            if (protocol is not ("https" or "http"))
            {
                throw new FormatException("DefaultEndpointsProtocol must be http or https.");
            }
            var suffix = parts.TryGetValue("EndpointSuffix", out var s) ? s.Trim('.') : "core.windows.net";
            serviceUri = new Uri($"{protocol}://{accountName}.blob.{suffix}");
        }

        BlobSharedKeyCredential? sharedKey = null;
        if (!string.IsNullOrEmpty(accountKey))
        {
            if (string.IsNullOrEmpty(accountName))
            {
                throw new FormatException("The storage connection string has AccountKey but no AccountName.");
            }
            sharedKey = new BlobSharedKeyCredential(accountName, accountKey);
        }
        if (sharedKey is null && string.IsNullOrEmpty(sas))
        {
            throw new FormatException("The storage connection string needs AccountKey or SharedAccessSignature.");
        }
        return new BlobStorageClientOptions
        {
            ServiceUri = serviceUri,
            SharedKey = sharedKey,
            // With both, Shared Key is preferred: it can do everything a SAS can.
            SasToken = sharedKey is null ? sas : null,
        };
    }
}
