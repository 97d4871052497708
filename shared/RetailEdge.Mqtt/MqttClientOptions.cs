namespace RetailEdge.Mqtt;

/// <summary>Settings of an <see cref="MqttClient"/>; validated when the client is created.</summary>
public sealed record MqttClientOptions
{
    /// <summary>The MQTT client identifier (for IoT Hub modules "{deviceId}/{moduleId}").</summary>
    public required string ClientId { get; init; }

    /// <summary>Opens the connection; called again for every reconnect.</summary>
    public required IMqttChannelFactory ChannelFactory { get; init; }

    /// <summary>false = persistent session: the server keeps subscriptions and unacknowledged QoS 1 messages (spec 3.1.2.4).</summary>
    public bool CleanSession { get; init; } = true;

    /// <summary>Keep-alive announced in CONNECT, whole seconds up to 65535; zero turns it off (spec 3.1.2.10).</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Fixed credentials, used when <see cref="CredentialsProvider"/> is not set.</summary>
    public MqttCredentials? Credentials { get; init; }

    /// <summary>Called before every (re)connect, so a fresh SAS token can be supplied each time.</summary>
    public Func<CancellationToken, ValueTask<MqttCredentials>>? CredentialsProvider { get; init; }

    /// <summary>Acknowledge inbound QoS 1 as soon as it is queued, instead of on <see cref="MqttClient.AcknowledgeAsync"/>.</summary>
    public bool AutoAcknowledge { get; init; }

    /// <summary>Reconnect with back-off after a lost connection; otherwise the client closes.</summary>
    public bool AutoReconnect { get; init; } = true;

    /// <summary>QoS 1 publishes awaiting PUBACK at once; further publishers wait (back-pressure).</summary>
    public int MaxInFlight { get; init; } = 16;

    /// <summary>Inbound messages queued for the application; when full the client stops reading the socket.</summary>
    public int MaxPendingMessages { get; init; } = 1000;

    /// <summary>Largest packet accepted from the server; a larger one closes the connection.</summary>
    public int MaxPacketSize { get; init; } = 1024 * 1024;

    /// <summary>
    /// Largest PUBLISH packet the client will send; a larger message is refused by
    /// <see cref="MqttClient.PublishAsync(MqttApplicationMessage, CancellationToken)"/> up front,
    /// rather than sent, dropped by the server and resent after every reconnect.
    /// </summary>
    public int MaxOutgoingPacketSize { get; init; } = MqttPacketEncoder.MaxRemainingLength;

    /// <summary>Time allowed from opening the channel to CONNACK (and resubscription).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for a SUBACK or UNSUBACK.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Each back-off delay is spread by ± this fraction so that many gateways do not reconnect in step.</summary>
    public double ReconnectJitter { get; init; } = 0.2;

    /// <summary>Seed for the jitter; null = unseeded.</summary>
    public int? RandomSeed { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the setting that is wrong.</summary>
    public void Validate()
    {
        Check(ClientId is not null && MqttUtf8.GetByteCountOrMinusOne(ClientId) is >= 0 and <= 65_535 && !ClientId.Contains('\0', StringComparison.Ordinal),
            "ClientId must be a UTF-8 string of at most 65535 bytes without U+0000");
        Check(ChannelFactory is not null, "ChannelFactory is required");
        Check(!(string.IsNullOrEmpty(ClientId) && !CleanSession), "an empty ClientId needs CleanSession = true (spec 3.1.3-7)");
        Check(KeepAlive >= TimeSpan.Zero && KeepAlive <= TimeSpan.FromSeconds(ushort.MaxValue) && KeepAlive.Ticks % TimeSpan.TicksPerSecond == 0,
            "KeepAlive must be whole seconds between 0 and 65535");
        Check(MaxInFlight is >= 1 and <= 60_000, "MaxInFlight must be between 1 and 60000");
        Check(MaxPendingMessages >= 1, "MaxPendingMessages must be at least 1");
        Check(MaxPacketSize is >= 64 and <= MqttPacketEncoder.MaxRemainingLength, "MaxPacketSize must be between 64 and 268435455");
        Check(MaxOutgoingPacketSize is >= 64 and <= MqttPacketEncoder.MaxRemainingLength, "MaxOutgoingPacketSize must be between 64 and 268435455");
        Check(ConnectTimeout > TimeSpan.Zero, "ConnectTimeout must be positive");
        Check(RequestTimeout > TimeSpan.Zero, "RequestTimeout must be positive");
        Check(ReconnectMinDelay >= TimeSpan.Zero && ReconnectMaxDelay >= ReconnectMinDelay, "ReconnectMinDelay must be >= 0 and <= ReconnectMaxDelay");
        Check(ReconnectJitter is >= 0 and < 1, "ReconnectJitter must be in [0, 1)");
        Check(TimeProvider is not null, "TimeProvider is required");
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException("MqttClientOptions." + message);
        }
    }
}
