using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using RetailEdge.IotHub.Credentials;

namespace RetailEdge.IotHub;

/// <summary>
/// Settings of an <see cref="IotHubModuleClient"/>; validated when the client is created. Build
/// them from a module connection string (<see cref="FromConnectionString"/>) or from the IoT Edge
/// environment (<see cref="FromEnvironmentAsync"/>).
/// </summary>
public sealed record IotHubModuleClientOptions
{
    /// <summary>PROTOCOLS.md: the api-version in the CONNECT user name.</summary>
    public const string DefaultApiVersion = "2021-04-12";

    /// <summary>The hub host name: SAS audience and user-name host, even through a gateway.</summary>
    public required string HostName { get; init; }

    /// <summary>The device id.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The module id.</summary>
    public required string ModuleId { get; init; }

    /// <summary>Signs SAS tokens: <see cref="SharedAccessKeySigner"/> or <see cref="WorkloadApiClient"/>.</summary>
    public required ISasTokenSigner Signer { get; init; }

    /// <summary>Connect here instead of <see cref="HostName"/> (edgeHub); the token audience stays the hub.</summary>
    public string? GatewayHostName { get; init; }

    /// <summary>MQTT over TLS port.</summary>
    public int Port { get; init; } = 8883;

    /// <summary>TLS on (the hub and edgeHub never accept plain MQTT; off only for local test servers).</summary>
    public bool UseTls { get; init; } = true;

    /// <summary>Extra roots to trust (the IoT Edge trust bundle or <c>EdgeModuleCACertificateFile</c>).</summary>
    public X509Certificate2Collection? TrustedRootCertificates { get; init; }

    /// <summary>The api-version query of the user name.</summary>
    public string ApiVersion { get; init; } = DefaultApiVersion;

    /// <summary>SAS token lifetime (SDK: 3600 s).</summary>
    public TimeSpan TokenTimeToLive { get; init; } = SharedAccessSignature.DefaultTimeToLive;

    /// <summary>Reconnect with a fresh token when this fraction of the lifetime remains (SDK: 15 %).</summary>
    public double TokenRenewalFraction { get; init; } = SharedAccessSignature.DefaultRenewalFraction;

    /// <summary>MQTT keep-alive (SDK: 300 s; edgeHub caps it at 10 min).</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>false keeps the MQTT session (subscriptions, unacknowledged input messages) across reconnects.</summary>
    public bool CleanSession { get; init; }

    /// <summary>Time allowed from opening the connection to CONNACK, and for a SUBACK.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of a twin GET or reported PATCH (request to response).</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>First reconnect delay; doubled up to <see cref="ReconnectMaxDelay"/>, with jitter.</summary>
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest reconnect delay.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Telemetry messages awaiting PUBACK at once; further sends wait (back-pressure).</summary>
    public int MaxInFlight { get; init; } = 16;

    /// <summary>Inbound messages queued for handlers; when full the client stops reading the socket.</summary>
    public int MaxPendingMessages { get; init; } = 256;

    /// <summary>Direct-method handlers running at once.</summary>
    public int MaxConcurrentMethods { get; init; } = 4;

    /// <summary>The clock (token expiry and renewal).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Options for a module connection string <c>HostName;DeviceId;ModuleId;SharedAccessKey[;GatewayHostName]</c>.</summary>
    public static IotHubModuleClientOptions FromConnectionString(string connectionString)
    {
        var parsed = IotHubConnectionString.Parse(connectionString);
        if (!parsed.IsModule)
        {
            throw new FormatException("a module connection string (with DeviceId and ModuleId) is required");
        }
        return new IotHubModuleClientOptions
        {
            HostName = parsed.HostName,
            DeviceId = parsed.DeviceId!,
            ModuleId = parsed.ModuleId!,
            GatewayHostName = parsed.GatewayHostName,
            Signer = new SharedAccessKeySigner(parsed.SharedAccessKey),
        };
    }

    /// <summary>
    /// Options as an IoT Edge module gets them: a connection string (+ CA file) when set, otherwise
    /// the workload API signs and its trust bundle is trusted for the edgeHub certificate.
    /// </summary>
    public static async Task<IotHubModuleClientOptions> FromEnvironmentAsync(IotEdgeEnvironment environment, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment.ConnectionString is { } connectionString)
        {
            X509Certificate2Collection? roots = null;
            if (environment.CaCertificateFile is { } file)
            {
                var pem = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
                roots = WorkloadApiClient.ParseTrustBundle(pem);
            }
            return FromConnectionString(connectionString.ToSecretString()) with { TrustedRootCertificates = roots };
        }
        var workload = environment.Workload ?? throw new InvalidOperationException("the environment has neither a connection string nor the workload API");
        var client = new WorkloadApiClient(workload, loggerFactory?.CreateLogger<WorkloadApiClient>());
        var bundle = await client.GetTrustBundleAsync(cancellationToken).ConfigureAwait(false);
        return new IotHubModuleClientOptions
        {
            HostName = environment.IotHubHostName,
            DeviceId = environment.DeviceId,
            ModuleId = environment.ModuleId,
            GatewayHostName = environment.GatewayHostName,
            Signer = client,
            TrustedRootCertificates = WorkloadApiClient.ParseTrustBundle(bundle),
        };
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Check(IotHubConnectionString.IsHostName(HostName), nameof(HostName), "must be a host name");
        Check(GatewayHostName is null || IotHubConnectionString.IsHostName(GatewayHostName), nameof(GatewayHostName), "must be a host name");
        Check(IotHubConnectionString.IsIdentifier(DeviceId), nameof(DeviceId), "must be 1-128 printable ASCII characters without / # +");
        Check(IotHubConnectionString.IsIdentifier(ModuleId), nameof(ModuleId), "must be 1-128 printable ASCII characters without / # +");
        Check(Signer is not null, nameof(Signer), "is required");
        Check(Port is >= 1 and <= 65535, nameof(Port), "must be a TCP port");
        Check(!string.IsNullOrEmpty(ApiVersion) && ApiVersion.All(c => char.IsAsciiDigit(c) || c == '-'), nameof(ApiVersion), "must look like 2021-04-12");
        Check(TokenTimeToLive >= TimeSpan.FromSeconds(2) && TokenTimeToLive <= TimeSpan.FromDays(365), nameof(TokenTimeToLive), "must be between 2 s and 365 days");
        Check(TokenRenewalFraction is > 0 and < 1, nameof(TokenRenewalFraction), "must be between 0 and 1 (exclusive)");
        Check(KeepAlive >= TimeSpan.Zero && KeepAlive <= TimeSpan.FromMinutes(10) && KeepAlive.Ticks % TimeSpan.TicksPerSecond == 0, nameof(KeepAlive), "must be whole seconds up to 10 minutes");
        Check(ConnectTimeout > TimeSpan.Zero, nameof(ConnectTimeout), "must be positive");
        Check(OperationTimeout > TimeSpan.Zero, nameof(OperationTimeout), "must be positive");
        Check(ReconnectMinDelay >= TimeSpan.Zero && ReconnectMaxDelay >= ReconnectMinDelay, nameof(ReconnectMinDelay), "must be ≥ 0 and ≤ ReconnectMaxDelay");
        Check(MaxInFlight is >= 1 and <= 1000, nameof(MaxInFlight), "must be 1-1000");
        Check(MaxPendingMessages is >= 1 and <= 100_000, nameof(MaxPendingMessages), "must be 1-100000");
        Check(MaxConcurrentMethods is >= 1 and <= 64, nameof(MaxConcurrentMethods), "must be 1-64");
        Check(TimeProvider is not null, nameof(TimeProvider), "is required");
    }

    /// <summary>Never shows the signer's secrets.</summary>
    public override string ToString() =>
        $"IotHubModuleClientOptions {{ HostName = {HostName}, GatewayHostName = {GatewayHostName}, DeviceId = {DeviceId}, ModuleId = {ModuleId}, Port = {Port}, UseTls = {UseTls} }}";

    private static void Check(bool condition, string setting, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"IotHubModuleClientOptions.{setting} {rule}", setting);
        }
    }
}
