using System.Net;
using System.Text;
using System.Text.Json;
using RetailEdge.Contracts.Twin;

namespace StoreGateway;

/// <summary>
/// The module's configuration (section <c>StoreGateway</c>, or environment variables such as
/// <c>StoreGateway__StoreId</c>). Validated at start: an invalid value stops the process with a message
/// naming the setting. Secrets (<see cref="IngestKey"/>, <see cref="MqttPassword"/>,
/// <see cref="ConnectionString"/>) come from the environment or from files and are never printed
/// (<see cref="PrintMembers"/> leaves them out).
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

    /// <summary>CONNECT user name at the store broker (the manifest's broker refuses anonymous clients).</summary>
    public string? MqttUsername { get; init; }

    /// <summary>Password at the store broker; prefer <see cref="MqttPasswordFile"/>. Never logged.</summary>
    public string? MqttPassword { get; init; }

    /// <summary>File holding the store-broker password (a mounted secret); read once at start.</summary>
    public string? MqttPasswordFile { get; init; }

    /// <summary>
    /// Address HTTP ingest listens on. Default 127.0.0.1 (this host only). The container image sets
    /// 0.0.0.0 (appsettings.json) because Docker publishes the port, and the manifest publishes it on
    /// the store-LAN address only.
    /// </summary>
    public string HttpBindAddress { get; init; } = "127.0.0.1";

    /// <summary>HTTP ingest port; 0 picks a free one (tests, the demo).</summary>
    public int HttpPort { get; init; } = 8080;

    /// <summary>
    /// The store's ingest key: POST /events needs it as <c>Authorization: Bearer &lt;key&gt;</c> or
    /// <c>X-Api-Key</c>. Prefer <see cref="IngestKeyFile"/>. Without a key every POST is refused (401).
    /// Never logged.
    /// </summary>
    public string? IngestKey { get; init; }

    /// <summary>File holding the ingest key (a mounted secret); read once at start.</summary>
    public string? IngestKeyFile { get; init; }

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

    /// <summary>The minimum log level at start (the setLogLevel method changes it at run time). Default Information.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;

    /// <summary>Largest HTTP request body (413 beyond). Default 16 MB.</summary>
    public long MaxRequestBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// Global budget of HTTP request bytes in flight (503 + Retry-After beyond). Default 32 MB: two
    /// maximum-size requests at a time, which keeps the module well inside a 256 MB container.
    /// </summary>
    public long MaxInFlightBytes { get; init; } = 32 * 1024 * 1024;

    /// <summary>Most events in one HTTP request (413 too_many_events beyond). Default 10,000.</summary>
    public int MaxEventsPerRequest { get; init; } = 10_000;

    public int MaxEventsPerCommit { get; init; } = 2000;

    /// <summary>Below this much free space on the data volume the gateway is disk_full (ingest 503, backlog drains). Default 8 MB.</summary>
    public long MinFreeDiskBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Space reserved beside the journal (gateway.reserve) and given back when the disk fills, so the gateway can still start and drain. Default 4 MB.</summary>
    public long DiskReserveBytes { get; init; } = 4 * 1024 * 1024;

    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>An absolute folder under which the twin's referenceData may name a file url (a mounted copy of the publisher's folder); unset refuses file urls.</summary>
    public string? ReferenceDataFileRoot { get; init; }

    /// <summary>Shortest ingest key accepted: 16 characters (a guessable key is no key).</summary>
    public const int MinIngestKeyLength = 16;

    /// <summary>A copy with <see cref="IngestKey"/> and <see cref="MqttPassword"/> read from their files when those are set.</summary>
    public StoreGatewayOptions WithSecretsFromFiles()
    {
        Check(string.IsNullOrEmpty(IngestKey) || string.IsNullOrEmpty(IngestKeyFile), "StoreGateway:IngestKey and StoreGateway:IngestKeyFile are exclusive");
        Check(string.IsNullOrEmpty(MqttPassword) || string.IsNullOrEmpty(MqttPasswordFile), "StoreGateway:MqttPassword and StoreGateway:MqttPasswordFile are exclusive");
        return this with
        {
            IngestKey = string.IsNullOrEmpty(IngestKeyFile) ? NullIfEmpty(IngestKey) : ReadSecret(IngestKeyFile, "StoreGateway:IngestKeyFile"),
            MqttPassword = string.IsNullOrEmpty(MqttPasswordFile) ? NullIfEmpty(MqttPassword) : ReadSecret(MqttPasswordFile, "StoreGateway:MqttPasswordFile"),
            MqttUsername = NullIfEmpty(MqttUsername),
        };
    }

    /// <summary>The URL Kestrel listens on.</summary>
    public string HttpUrl() => new UriBuilder("http", IPAddress.Parse(HttpBindAddress).ToString(), HttpPort).Uri.ToString().TrimEnd('/');

    /// <summary>Throws <see cref="StoreGatewayConfigurationException"/> naming the bad setting; returns the parsed initial settings.</summary>
    public GatewaySettings Validate()
    {
        Check(IPAddress.TryParse(HttpBindAddress, out _), "StoreGateway:HttpBindAddress must be an IP address (127.0.0.1 for this host only, 0.0.0.0 inside a container)");
        Check(HttpPort is >= 0 and < 65536, "StoreGateway:HttpPort must be a TCP port (0: any free port)");
        Check(IngestKey is null || IngestKey.Length >= MinIngestKeyLength, $"StoreGateway:IngestKey must have at least {MinIngestKeyLength} characters");
        Check(MqttPassword is null || !string.IsNullOrEmpty(MqttUsername), "StoreGateway:MqttUsername must be set with a store-broker password");
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
        Check(MaxInFlightBytes >= MaxRequestBytes && MaxInFlightBytes <= 1024L * 1024 * 1024, "StoreGateway:MaxInFlightBytes must be at least MaxRequestBytes and at most 1 GB");
        Check(MinFreeDiskBytes is >= 0 and <= 1024L * 1024 * 1024, "StoreGateway:MinFreeDiskBytes must be from 0 to 1 GB");
        Check(DiskReserveBytes is >= 0 and <= 1024L * 1024 * 1024, "StoreGateway:DiskReserveBytes must be from 0 to 1 GB");
        Check(MaxEventsPerRequest is > 0 and <= 100_000, "StoreGateway:MaxEventsPerRequest must be from 1 to 100000");
        Check(ReportInterval >= TimeSpan.FromSeconds(1), "StoreGateway:ReportInterval must be at least a second");
        Check(string.IsNullOrEmpty(ReferenceDataFileRoot) || Path.IsPathFullyQualified(ReferenceDataFileRoot), "StoreGateway:ReferenceDataFileRoot must be an absolute folder path");
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

    /// <summary>Only settings that are not secret: a record's generated ToString would print every property.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("StoreId = ").Append(StoreId).Append(", GatewayId = ").Append(GatewayId).Append(", DataDirectory = ").Append(DataDirectory)
            .Append(", Http = ").Append(HttpBindAddress).Append(':').Append(HttpPort).Append(", IngestKey = ").Append(IngestKey is null ? "(none)" : "***")
            .Append(", MqttHost = ").Append(MqttHost).Append(':').Append(MqttPort).Append(", MqttUsername = ").Append(MqttUsername)
            .Append(", Transport = ").Append(Transport);
        return true;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string ReadSecret(string path, string setting)
    {
        try
        {
            var secret = File.ReadAllText(path).Trim();
            Check(secret.Length > 0, setting + " names an empty file");
            return secret;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The message names the setting and the path, never the content.
            throw new StoreGatewayConfigurationException($"{setting}: cannot read {path} ({e.GetType().Name})");
        }
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new StoreGatewayConfigurationException(message);
        }
    }
}
