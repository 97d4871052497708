using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RetailEdge.Testing;

/// <summary>
/// A real Azurite blob service on 127.0.0.1 and a free port (installed by scripts/setup-tools.sh),
/// with the well-known development account. <see cref="StartWithOAuthAsync"/> serves HTTPS with a
/// throw-away self-signed certificate and checks bearer tokens (`--oauth basic`: Azurite accepts
/// bearer tokens only over HTTPS, and checks their audience, issuer and lifetime, not a signature).
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>Azurite's documented development account; not a secret.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's documented development key; not a secret.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly TempDirectory _directory = new("azurite");
    private ManagedProcess? _process;

    private AzuriteServer(int port, X509Certificate2? certificate)
    {
        Port = port;
        Certificate = certificate;
    }

    public int Port { get; }

    /// <summary>The server certificate when started with <see cref="StartWithOAuthAsync"/>, else null (plain http).</summary>
    public X509Certificate2? Certificate { get; }

    private string Scheme => Certificate is null ? "http" : "https";

    /// <summary>The blob endpoint including the account, e.g. http://127.0.0.1:10000/devstoreaccount1.</summary>
    public Uri BlobEndpoint => new($"{Scheme}://127.0.0.1:{Port}/{AccountName}");

    public string ConnectionString =>
        $"DefaultEndpointsProtocol={Scheme};AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    public string Output => _process?.Output ?? string.Empty;

    public static Task<AzuriteServer> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(oauth: false, cancellationToken);

    /// <summary>Azurite over HTTPS with bearer-token checking; trust its certificate with <see cref="CreateTrustingHttpClient"/>.</summary>
    public static Task<AzuriteServer> StartWithOAuthAsync(CancellationToken cancellationToken = default) =>
        StartAsync(oauth: true, cancellationToken);

    private static async Task<AzuriteServer> StartAsync(bool oauth, CancellationToken cancellationToken)
    {
        var server = new AzuriteServer(FreePort.Next(), oauth ? CreateCertificate() : null);
        var script = RepoPaths.Require(Path.Combine(RepoPaths.NodeModules, "azurite", "dist", "src", "blob", "main.js"), "azurite");
        List<string> arguments =
        [
            script,
            "--blobHost", "127.0.0.1",
            "--blobPort", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--location", server._directory.Path,
            "--loose",
            "--skipApiVersionCheck",
            "--disableTelemetry",
            "--silent",
        ];
        if (server.Certificate is { } certificate)
        {
            var certPath = Path.Combine(server._directory.Path, "azurite-cert.pem");
            var keyPath = Path.Combine(server._directory.Path, "azurite-key.pem");
            await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem(), cancellationToken).ConfigureAwait(false);
            using (var key = certificate.GetRSAPrivateKey()!)
            {
                await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem(), cancellationToken).ConfigureAwait(false);
            }
            arguments.AddRange(["--cert", certPath, "--key", keyPath, "--oauth", "basic"]);
        }
        server._process = ManagedProcess.Start("node", arguments);
        await FreePort.WaitListeningAsync(server.Port, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        return server;
    }

    /// <summary>An HttpClient that trusts exactly this server's self-signed certificate (and nothing else that fails validation).</summary>
    public HttpClient CreateTrustingHttpClient()
    {
        var certificate = Certificate ?? throw new InvalidOperationException("this Azurite serves plain http; start it with StartWithOAuthAsync");
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, errors) =>
            errors == System.Net.Security.SslPolicyErrors.None
            || (presented is not null && presented.GetCertHash().AsSpan().SequenceEqual(certificate.GetCertHash()));
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
        }
        Certificate?.Dispose();
        _directory.Dispose();
    }
}
