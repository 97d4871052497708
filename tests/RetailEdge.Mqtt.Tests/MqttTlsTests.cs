using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace RetailEdge.Mqtt.Tests;

/// <summary>MQTT over TLS between our client and our server, trusting a private CA as an IoT Edge trust bundle does.</summary>
public sealed class MqttTlsTests : IDisposable
{
    private readonly X509Certificate2 _ca;
    private readonly X509Certificate2 _serverCertificate;

    public MqttTlsTests()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=RetailEdge test edge CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        _ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=edgehub.local", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("edgehub.local");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = request.Create(_ca, now.AddHours(-1), now.AddHours(12), [1, 2, 3, 4]);
        using var withKey = issued.CopyWithPrivateKey(serverKey);
        _serverCertificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null);
    }

    [Fact]
    public async Task Connect_ServerCertificateFromTrustedBundle_PublishesOverTls()
    {
        await using var server = new MqttServer(new MqttServerOptions { Port = 0, ServerCertificate = _serverCertificate });
        await server.StartAsync();
        using var publicCa = X509CertificateLoader.LoadCertificate(_ca.Export(X509ContentType.Cert));
        await using var client = new MqttClient(Options(server.Port, "edgehub.local", new X509Certificate2Collection(publicCa)) with { AutoAcknowledge = true });

        await client.ConnectAsync();
        await client.SubscribeAsync("tls/#");
        await client.PublishAsync("tls/1", Encoding.UTF8.GetBytes("encrypted"), MqttQualityOfService.AtLeastOnce);

        Assert.Equal("encrypted", Encoding.UTF8.GetString((await Eventually.NextMessageAsync(client)).Payload.Span));
    }

    [Fact]
    public async Task Connect_WithoutTrustBundle_RefusesServerCertificate()
    {
        await using var server = new MqttServer(new MqttServerOptions { Port = 0, ServerCertificate = _serverCertificate });
        await server.StartAsync();
        await using var client = new MqttClient(Options(server.Port, "edgehub.local", trusted: null));

        await Assert.ThrowsAsync<AuthenticationException>(() => client.ConnectAsync());
    }

    [Fact]
    public async Task Connect_TrustedCaButWrongHostName_RefusesServerCertificate()
    {
        await using var server = new MqttServer(new MqttServerOptions { Port = 0, ServerCertificate = _serverCertificate });
        await server.StartAsync();
        using var publicCa = X509CertificateLoader.LoadCertificate(_ca.Export(X509ContentType.Cert));
        await using var client = new MqttClient(Options(server.Port, "other.local", new X509Certificate2Collection(publicCa)));

        await Assert.ThrowsAsync<AuthenticationException>(() => client.ConnectAsync());
    }

    public void Dispose()
    {
        _ca.Dispose();
        _serverCertificate.Dispose();
    }

    private static MqttClientOptions Options(int port, string targetHost, X509Certificate2Collection? trusted) => new()
    {
        ClientId = "tls-client",
        ChannelFactory = new MqttTcpChannelFactory(new MqttTcpChannelOptions
        {
            Host = IPAddress.Loopback.ToString(),
            Port = port,
            UseTls = true,
            TlsTargetHost = targetHost,
            TrustedRootCertificates = trusted,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        }),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };
}
