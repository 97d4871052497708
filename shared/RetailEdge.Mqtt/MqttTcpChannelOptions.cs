using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace RetailEdge.Mqtt;

/// <summary>Where and how <see cref="MqttTcpChannelFactory"/> connects.</summary>
public sealed record MqttTcpChannelOptions
{
    public required string Host { get; init; }

    /// <summary>1883 for plain MQTT, 8883 for MQTT over TLS.</summary>
    public int Port { get; init; } = 8883;

    public bool UseTls { get; init; } = true;

    /// <summary>The name the server certificate must carry; defaults to <see cref="Host"/>.</summary>
    public string? TlsTargetHost { get; init; }

    /// <summary>
    /// Extra trust anchors (e.g. the IoT Edge trust bundle): a server chain that ends in one of
    /// these is accepted even when the system store does not know the root. Host name errors are
    /// never forgiven.
    /// </summary>
    public X509Certificate2Collection? TrustedRootCertificates { get; init; }

    /// <summary>Replaces the default validation entirely when set (takes precedence over <see cref="TrustedRootCertificates"/>).</summary>
    public RemoteCertificateValidationCallback? CertificateValidationCallback { get; init; }

    public X509CertificateCollection? ClientCertificates { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws naming the setting that is wrong.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException("MqttTcpChannelOptions.Host is required");
        }
        if (Port is < 1 or > 65_535)
        {
            throw new ArgumentException($"MqttTcpChannelOptions.Port {Port} is not a TCP port");
        }
        if (ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("MqttTcpChannelOptions.ConnectTimeout must be positive");
        }
    }
}
