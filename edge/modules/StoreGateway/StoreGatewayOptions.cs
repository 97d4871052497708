using System.Text.Json;
using RetailEdge.Contracts.Twin;

namespace StoreGateway;

/// <summary>
/// The module's configuration (section <c>StoreGateway</c>, or environment variables such as
/// <c>StoreGateway__StoreId</c>). Validated at start: an invalid value stops the process with a message
/// naming the setting.
/// </summary>
public sealed record StoreGatewayOptions
{
    public const string Section = "StoreGateway";

    public int StoreId { get; init; }

    /// <summary>The IoT Edge device id; defaults to IOTEDGE_DEVICEID.</summary>
    public string? GatewayId { get; init; }

    public string DataDirectory { get; init; } = "/app/data";

    /// <summary>The store's local MQTT broker; empty disables MQTT ingest.</summary>
    public string? MqttHost { get; init; }

    public int MqttPort { get; init; } = 1883;

    /// <summary>Topic filters; {storeId} is replaced. Default: store/{storeId}/pos/# and store/{storeId}/scale/#.</summary>
    public IReadOnlyList<string> MqttTopics { get; init; } = ["store/{storeId}/pos/#", "store/{storeId}/scale/#"];

    /// <summary>Client id of the persistent session; default "{gatewayId}-storegateway".</summary>
    public string? MqttClientId { get; init; }

    /// <summary>Folder watched for snapshot CSV files; empty disables it.</summary>
    public string? SnapshotFolder { get; init; }

    public TimeSpan SnapshotPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>auto (IoT Hub when IoT Edge or a connection string is present, else none), iothub, or none (batches stay in the outbox).</summary>
    public string Transport { get; init; } = "auto";

    /// <summary>A module connection string, used outside IoT Edge (never logged).</summary>
    public string? ConnectionString { get; init; }

    /// <summary>MQTT port of the hub or edgeHub (8883); another port only for a local hub emulator.</summary>
    public int HubPort { get; init; } = 8883;

    /// <summary>TLS to the hub (always with IoT Hub and edgeHub); false only for a local hub emulator on loopback.</summary>
    public bool HubUseTls { get; init; } = true;

    /// <summary>Desired-properties JSON applied over the defaults until the twin says otherwise.</summary>
    public string? InitialSettings { get; init; }

    public long MaxRequestBytes { get; init; } = 16 * 1024 * 1024;

    public int MaxEventsPerCommit { get; init; } = 2000;

    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="StoreGatewayConfigurationException"/> naming the bad setting; returns the parsed initial settings.</summary>
    public GatewaySettings Validate()
    {
        Check(StoreId > 0, "StoreGateway:StoreId must be a positive store id");
        Check(!string.IsNullOrWhiteSpace(GatewayId), "StoreGateway:GatewayId (or IOTEDGE_DEVICEID) must be set");
        Check(!string.IsNullOrWhiteSpace(DataDirectory), "StoreGateway:DataDirectory must be set");
        Check(MqttPort is > 0 and < 65536, "StoreGateway:MqttPort must be a TCP port");
        Check(MqttTopics.Count > 0 && MqttTopics.All(t => !string.IsNullOrWhiteSpace(t) && t.Length < 1024), "StoreGateway:MqttTopics must list topic filters");
        Check(HubPort is > 0 and < 65536, "StoreGateway:HubPort must be a TCP port");
        Check(Transport is "auto" or "iothub" or "none", "StoreGateway:Transport must be auto, iothub or none");
        Check(SnapshotPollInterval > TimeSpan.Zero, "StoreGateway:SnapshotPollInterval must be positive");
        Check(MaxRequestBytes is > 0 and <= 256L * 1024 * 1024, "StoreGateway:MaxRequestBytes must be from 1 byte to 256 MB");
        Check(MaxEventsPerCommit is > 0 and <= 100_000, "StoreGateway:MaxEventsPerCommit must be from 1 to 100000");
        Check(ReportInterval >= TimeSpan.FromSeconds(1), "StoreGateway:ReportInterval must be at least a second");
        if (string.IsNullOrWhiteSpace(InitialSettings))
        {
            return GatewaySettings.Default;
        }
        try
        {
            using var document = JsonDocument.Parse(InitialSettings);
            var (settings, error) = GatewaySettings.Apply(GatewaySettings.Default, document.RootElement);
            return settings ?? throw new StoreGatewayConfigurationException("StoreGateway:InitialSettings: " + error);
        }
        catch (JsonException e)
        {
            throw new StoreGatewayConfigurationException("StoreGateway:InitialSettings is not JSON: " + e.Message);
        }
    }

    public IReadOnlyList<string> ResolvedTopics() =>
        MqttTopics.Select(t => t.Replace("{storeId}", StoreId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)).ToList();

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new StoreGatewayConfigurationException(message);
        }
    }
}
