using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace RetailEdge.Mqtt;

/// <summary>Settings of an <see cref="MqttServer"/>; validated at start.</summary>
public sealed record MqttServerOptions
{
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>0 picks a free port (read <see cref="MqttServer.Port"/> after start).</summary>
    public int Port { get; init; } = 1883;

    /// <summary>When set, connections are TLS (SslStream) with this certificate and private key.</summary>
    public X509Certificate2? ServerCertificate { get; init; }

    /// <summary>Largest packet accepted; a larger one closes the connection before it is buffered.</summary>
    public int MaxPacketSize { get; init; } = 1024 * 1024;

    /// <summary>Time from accepting a socket to receiving CONNECT (and the TLS handshake).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>QoS 1 messages sent to one client and not yet acknowledged.</summary>
    public int MaxInFlightPerClient { get; init; } = 64;

    /// <summary>Messages queued for one client (online or, for a persistent session, offline).</summary>
    public int MaxQueuedMessagesPerClient { get; init; } = 1000;

    /// <summary>Decides on each CONNECT; null accepts everyone.</summary>
    public Func<MqttServerConnectContext, CancellationToken, ValueTask<MqttConnectReturnCode>>? AuthenticateAsync { get; init; }

    /// <summary>Sees every inbound PUBLISH before it is acknowledged; null routes everything.</summary>
    public Func<MqttServerPublishContext, CancellationToken, ValueTask<MqttPublishDisposition>>? InterceptPublishAsync { get; init; }

    /// <summary>Grants or refuses each requested subscription; null grants min(requested, 1).</summary>
    public Func<MqttServerSubscribeContext, CancellationToken, ValueTask<MqttSubAckReturnCode>>? AuthorizeSubscribeAsync { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the setting that is wrong.</summary>
    public void Validate()
    {
        Check(Address is not null, "Address is required");
        Check(Port is >= 0 and <= 65_535, "Port must be between 0 and 65535");
        Check(MaxPacketSize is >= 64 and <= MqttPacketEncoder.MaxRemainingLength, "MaxPacketSize must be between 64 and 268435455");
        Check(ConnectTimeout > TimeSpan.Zero, "ConnectTimeout must be positive");
        Check(MaxInFlightPerClient is >= 1 and <= 60_000, "MaxInFlightPerClient must be between 1 and 60000");
        Check(MaxQueuedMessagesPerClient >= 1, "MaxQueuedMessagesPerClient must be at least 1");
        Check(ServerCertificate is null || ServerCertificate.HasPrivateKey, "ServerCertificate needs its private key");
        Check(TimeProvider is not null, "TimeProvider is required");
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException("MqttServerOptions." + message);
        }
    }
}
