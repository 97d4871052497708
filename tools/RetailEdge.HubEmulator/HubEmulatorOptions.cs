using System.Net;

namespace RetailEdge.HubEmulator;

/// <summary>Settings of a <see cref="HubEmulator"/>; validated by <see cref="Validate"/> at start.</summary>
public sealed record HubEmulatorOptions
{
    /// <summary>The registry JSON file (created when missing).</summary>
    public required string RegistryPath { get; init; }

    /// <summary>The hub name: the {iothub} segment of routed blob names and the first label of the host name.</summary>
    public required string HubName { get; init; }

    /// <summary>Device MQTT endpoint; port 0 picks a free port (see <see cref="HubEmulator.MqttEndPoint"/>).</summary>
    public IPEndPoint MqttEndPoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>Service REST endpoint; port 0 picks a free port (see <see cref="HubEmulator.RestEndPoint"/>).</summary>
    public IPEndPoint RestEndPoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>The built-in Event Hubs-compatible endpoint (AMQP); port 0 picks a free port (see <see cref="HubEmulator.EventHubsEndPoint"/>).</summary>
    public IPEndPoint EventHubsEndPoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>Where the built-in endpoint keeps its partitions; default: a folder "{hub}-events" beside the registry file.</summary>
    public string? EventsPath { get; init; }

    /// <summary>How long the built-in endpoint keeps events (IoT Hub's default: 1 day).</summary>
    public TimeSpan EventRetention { get; init; } = TimeSpan.FromDays(1);

    /// <summary>How many bytes of events each partition keeps at most (default 256 MB); the oldest go first.</summary>
    public long EventRetentionBytesPerPartition { get; init; } = 256L * 1024 * 1024;

    /// <summary>Routing target: a folder path, or a blob container URL (http[s]://…/account/container[?sas]).</summary>
    public required string RoutingTarget { get; init; }

    /// <summary>Storage account key for a blob routing target without a SAS (Shared Key auth). A secret.</summary>
    public string? RoutingAccountKey { get; init; }

    /// <summary>How often routed batches are written (default 10 s).</summary>
    public TimeSpan BatchInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The hub's partitions (default 4): of routing and of the built-in endpoint; a device's messages always land in one.</summary>
    public int PartitionCount { get; init; } = 4;

    /// <summary>
    /// When true, a QoS 1 telemetry PUBACK is sent only after the routed file holding the
    /// message is written (durable, latency up to one batch interval); when false (default),
    /// right after the message is accepted into the in-memory batch (fast; a crash, unlike a
    /// clean stop, can lose up to one interval of acknowledged messages).
    /// </summary>
    public bool AcknowledgeAfterWrite { get; init; }

    /// <summary>
    /// Serve MQTT (and REST) over TLS with a self-signed certificate kept beside the registry
    /// (<c>{hub}-emulator-cert.pfx</c> with its key, <c>{hub}-emulator-cert.pem</c> to trust) and reused across restarts.
    /// </summary>
    public bool UseTls { get; init; }

    /// <summary>IoT Hub's device-to-cloud message limit: body plus property names and values.</summary>
    public int MaxMessageBytes { get; init; } = 256 * 1024;

    /// <summary>The folder of the built-in endpoint's partitions.</summary>
    public string ResolvedEventsPath => EventsPath ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(RegistryPath))!, HubName + "-events");

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(RegistryPath))
        {
            throw new ArgumentException("HubEmulator RegistryPath (--registry) is required.");
        }
        if (string.IsNullOrWhiteSpace(HubName))
        {
            throw new ArgumentException("HubEmulator HubName (--hub-name) is required.");
        }
        if (string.IsNullOrWhiteSpace(RoutingTarget))
        {
            throw new ArgumentException("HubEmulator RoutingTarget (--routing) is required: a folder or a blob container URL.");
        }
        if (MqttEndPoint is null || RestEndPoint is null || EventHubsEndPoint is null)
        {
            throw new ArgumentException("HubEmulator MqttEndPoint, RestEndPoint and EventHubsEndPoint are required.");
        }
        if (EventRetention < TimeSpan.FromMinutes(1) || EventRetention > TimeSpan.FromDays(90))
        {
            throw new ArgumentException($"HubEmulator EventRetention (--event-retention) must be between 1 minute and 90 days, not {EventRetention}.");
        }
        if (EventRetentionBytesPerPartition is < 1024 * 1024 or > 1024L * 1024 * 1024 * 1024)
        {
            throw new ArgumentException($"HubEmulator EventRetentionBytesPerPartition must be 1 MB–1 TB, not {EventRetentionBytesPerPartition}.");
        }
        if (BatchInterval < TimeSpan.FromMilliseconds(100) || BatchInterval > TimeSpan.FromHours(1))
        {
            throw new ArgumentException($"HubEmulator BatchInterval (--batch-interval) must be between 100 ms and 1 h, not {BatchInterval}.");
        }
        if (PartitionCount is < 1 or > 32)
        {
            throw new ArgumentException($"HubEmulator PartitionCount must be 1–32, not {PartitionCount}.");
        }
        if (MaxMessageBytes is < 1024 or > 1024 * 1024)
        {
            throw new ArgumentException("HubEmulator MaxMessageBytes must be 1 KB–1 MB.");
        }
    }
}
