using Azure.Core;
using Azure.Identity;

namespace RetailEdge.Lakehouse.Hosting;

/// <summary>How a blob source or lake authenticates.</summary>
public enum StorageAuthMode
{
    /// <summary>The location's connection-string variable when set, otherwise Azure.Identity.</summary>
    Auto,

    /// <summary>Only the location's connection-string variable (an error when it is missing).</summary>
    ConnectionString,

    /// <summary>Only Azure.Identity (a managed identity, workload identity or service principal), even when a connection string is set.</summary>
    AzureIdentity,
}

/// <summary>
/// Where the processor and the CLI get Azure credentials: the environment (connection strings,
/// RETAILEDGE_STORAGE_AUTH) and, for Azure.Identity, one token credential shared by the source, the
/// lake and the hub (DefaultAzureCredential by default: it honours AZURE_CLIENT_ID for a
/// user-assigned managed identity, workload identity, AZURE_TENANT_ID/AZURE_CLIENT_SECRET and
/// AZURE_TOKEN_CREDENTIALS). Tests pass their own environment, credential and HTTP client.
/// </summary>
public sealed class AzureAccess
{
    public const string StorageAuthVariable = "RETAILEDGE_STORAGE_AUTH";

    private readonly Lazy<TokenCredential> _credential;

    /// <param name="environment">reads an environment variable; default the process environment</param>
    /// <param name="credentialFactory">creates the Azure.Identity credential, once, when first needed; default DefaultAzureCredential</param>
    /// <param name="blobHttpClient">the transport of the Azure.Storage.Blobs clients (not disposed by them); default the SDK's own</param>
    public AzureAccess(Func<string, string?>? environment = null, Func<TokenCredential>? credentialFactory = null, HttpClient? blobHttpClient = null)
    {
        Environment = environment ?? System.Environment.GetEnvironmentVariable;
        var factory = credentialFactory ?? (() => new DefaultAzureCredential());
        _credential = new Lazy<TokenCredential>(() => factory() ?? throw new InvalidOperationException("the credential factory returned no credential"));
        BlobHttpClient = blobHttpClient;
    }

    /// <summary>The process environment and DefaultAzureCredential.</summary>
    public static AzureAccess FromProcess() => new();

    public Func<string, string?> Environment { get; }

    public HttpClient? BlobHttpClient { get; }

    /// <summary>The shared Azure.Identity credential (created on first use).</summary>
    public TokenCredential Credential => _credential.Value;

    /// <summary>A non-blank variable, else null.</summary>
    public string? Get(string name) => Environment(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value : null;

    /// <summary>RETAILEDGE_STORAGE_AUTH: unset or auto, connection-string, azure-identity.
    /// A wrong value is not echoed (a secret pasted into the wrong variable must not reach a log).</summary>
    public StorageAuthMode StorageAuth =>
        Get(StorageAuthVariable)?.Trim().ToLowerInvariant() switch
        {
            null or "auto" => StorageAuthMode.Auto,
            "connection-string" => StorageAuthMode.ConnectionString,
            "azure-identity" => StorageAuthMode.AzureIdentity,
            _ => throw new ArgumentException($"{StorageAuthVariable} must be auto, connection-string or azure-identity"),
        };

    /// <summary>The shared credential wrapped so that a failure to get a token says what it was for
    /// (<paramref name="purpose"/>, naming the settings to fix) as an <see cref="AzureCredentialException"/>.</summary>
    public TokenCredential CredentialFor(string purpose) => new ExplainedCredential(this, purpose);

    /// <summary>
    /// Turns Azure.Identity's "no credential" / "authentication failed" into an error that says what
    /// was being opened and which settings choose the authentication. Azure.Identity's own message
    /// (which credentials it tried and why they failed) is kept; it carries no secrets.
    /// </summary>
    private sealed class ExplainedCredential(AzureAccess access, string purpose) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            try
            {
                return access.Credential.GetToken(requestContext, cancellationToken);
            }
            catch (AuthenticationFailedException e)
            {
                throw Explain(requestContext, e);
            }
        }

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            try
            {
                return await access.Credential.GetTokenAsync(requestContext, cancellationToken).ConfigureAwait(false);
            }
            catch (AuthenticationFailedException e)
            {
                throw Explain(requestContext, e);
            }
        }

        private AzureCredentialException Explain(TokenRequestContext requestContext, AuthenticationFailedException e) =>
            new($"{purpose}: Azure.Identity could not get a token for {string.Join(' ', requestContext.Scopes)} "
                + $"({(e is CredentialUnavailableException ? "no credential available" : "authentication failed")}): {e.Message}", e);
    }
}

/// <summary>Azure.Identity could not get a token: no credential in this environment, or Microsoft Entra refused it.
/// The message says what the token was for and which settings choose the authentication; it never holds a secret.</summary>
public sealed class AzureCredentialException : InvalidOperationException
{
    public AzureCredentialException()
    {
    }

    public AzureCredentialException(string message)
        : base(message)
    {
    }

    public AzureCredentialException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
