using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RetailEdge.HubEmulator;

/// <summary>
/// The self-signed server certificate of the emulator's TLS endpoints (127.0.0.1, localhost and
/// the hub host name). <see cref="LoadOrCreate"/> keeps it beside the registry — the key pair as
/// PKCS#12 readable by the owner only, the certificate as PEM for clients to trust — and reuses
/// it on the next start, so a client that trusts it keeps working across restarts.
/// </summary>
public static class SelfSignedCertificate
{
    /// <summary>How long a new certificate is valid; it is replaced when less than a day remains.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);

    /// <summary>The PKCS#12 file (certificate and private key) beside the registry.</summary>
    public static string KeyPairPath(string registryPath, string hubName) => Beside(registryPath, $"{hubName}-emulator-cert.pfx");

    /// <summary>The PEM file (certificate only) beside the registry: what clients trust.</summary>
    public static string PemPath(string registryPath, string hubName) => Beside(registryPath, $"{hubName}-emulator-cert.pem");

    /// <summary>
    /// Loads the kept certificate when it exists, names <paramref name="hostName"/> and is valid for
    /// at least another day; otherwise makes a new one and keeps it (both files replaced atomically).
    /// </summary>
    public static X509Certificate2 LoadOrCreate(string registryPath, string hubName, string hostName, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        var keyPairPath = KeyPairPath(registryPath, hubName);
        var pemPath = PemPath(registryPath, hubName);
        var now = timeProvider.GetUtcNow();
        if (TryLoad(keyPairPath, hostName, now) is { } kept)
        {
            // the PEM clients trust must be this certificate's (it may be missing or left from another one)
            var pem = kept.ExportCertificatePem();
            if (!File.Exists(pemPath) || File.ReadAllText(pemPath) != pem)
            {
                WriteAtomically(pemPath, System.Text.Encoding.ASCII.GetBytes(pem), ownerOnly: false);
            }
            return kept;
        }
        var certificate = Create(hostName, timeProvider);
        WriteAtomically(keyPairPath, certificate.Export(X509ContentType.Pkcs12), ownerOnly: true);
        WriteAtomically(pemPath, System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()), ownerOnly: false);
        return certificate;
    }

    public static X509Certificate2 Create(string hostName, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + hostName, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostName);
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = timeProvider.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.Add(Lifetime));
        // reload through PKCS#12 so SslStream can use the private key on every platform
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    private static X509Certificate2? TryLoad(string path, string hostName, DateTimeOffset now)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, null);
        }
        catch (CryptographicException)
        {
            // unreadable: replaced by a new one, which clients must trust again
            return null;
        }
        if (!certificate.HasPrivateKey || certificate.NotAfter.ToUniversalTime() < now.UtcDateTime.AddDays(1)
            || certificate.NotBefore.ToUniversalTime() > now.UtcDateTime || !certificate.MatchesHostname(hostName))
        {
            certificate.Dispose();
            return null;
        }
        return certificate;
    }

    private static string Beside(string registryPath, string fileName) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(registryPath))!, fileName);

    private static void WriteAtomically(string path, byte[] bytes, bool ownerOnly)
    {
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (ownerOnly && !OperatingSystem.IsWindows())
            {
                // the private key: owner read/write only from the moment the file exists
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
