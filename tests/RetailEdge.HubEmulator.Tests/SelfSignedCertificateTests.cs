using System.Security.Cryptography.X509Certificates;
using RetailEdge.Testing;

namespace RetailEdge.HubEmulator.Tests;

public class SelfSignedCertificateTests
{
    private static HubEmulatorOptions TlsOptions(TempDirectory dir) => new()
    {
        RegistryPath = dir.Combine("hub", "registry.json"),
        HubName = "certhub",
        RoutingTarget = dir.Combine("routing"),
        UseTls = true,
    };

    [Fact]
    public async Task StartAsync_TlsTwiceWithOneRegistry_SameCertificateReusedAndPemBesideRegistry()
    {
        using var dir = new TempDirectory();
        string firstThumbprint;
        await using (var first = new HubEmulator(TlsOptions(dir)))
        {
            await first.StartAsync(CancellationToken.None);
            firstThumbprint = first.Certificate!.Thumbprint;
        }

        await using var second = new HubEmulator(TlsOptions(dir));
        await second.StartAsync(CancellationToken.None);

        Assert.Equal(firstThumbprint, second.Certificate!.Thumbprint);
        Assert.Equal(dir.Combine("hub", "certhub-emulator-cert.pem"), second.CertificatePemPath);
        using var trusted = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(second.CertificatePemPath!));
        Assert.Equal(firstThumbprint, trusted.Thumbprint);
        Assert.True(trusted.MatchesHostname("certhub.azure-devices.net"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.Combine("hub", "certhub-emulator-cert.pfx")));
        }
    }

    [Fact]
    public void LoadOrCreate_KeptCertificateNearExpiry_Replaced()
    {
        using var dir = new TempDirectory();
        var registry = dir.Combine("registry.json");
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var first = SelfSignedCertificate.LoadOrCreate(registry, "h", "h.azure-devices.net", clock);

        clock.Now = clock.Now + SelfSignedCertificate.Lifetime - TimeSpan.FromHours(1);
        using var second = SelfSignedCertificate.LoadOrCreate(registry, "h", "h.azure-devices.net", clock);
        using var third = SelfSignedCertificate.LoadOrCreate(registry, "h", "h.azure-devices.net", clock);

        Assert.NotEqual(first.Thumbprint, second.Thumbprint);
        Assert.Equal(second.Thumbprint, third.Thumbprint);
    }

    [Fact]
    public void LoadOrCreate_PemMissingOrStale_RewrittenFromTheKeptCertificate()
    {
        using var dir = new TempDirectory();
        var registry = dir.Combine("registry.json");
        using var first = SelfSignedCertificate.LoadOrCreate(registry, "h", "h.azure-devices.net", TimeProvider.System);
        var pem = SelfSignedCertificate.PemPath(registry, "h");
        File.Delete(pem);

        using var second = SelfSignedCertificate.LoadOrCreate(registry, "h", "h.azure-devices.net", TimeProvider.System);
        var restored = File.ReadAllText(pem);
        using var other = SelfSignedCertificate.Create("h.azure-devices.net", TimeProvider.System);
        File.WriteAllText(pem, other.ExportCertificatePem());
        using var third = SelfSignedCertificate.LoadOrCreate(registry, "h", "h.azure-devices.net", TimeProvider.System);

        Assert.Equal(first.Thumbprint, third.Thumbprint);
        Assert.Equal(first.ExportCertificatePem(), restored);
        Assert.Equal(first.ExportCertificatePem(), File.ReadAllText(pem));
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
