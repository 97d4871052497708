using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;

namespace RetailEdge.Processor;

/// <summary>
/// The processor's settings, from the environment (RETAILEDGE_*): where routed telemetry is read
/// (a folder or a blob container URL), where the lake is, how blob storage and the hub authenticate
/// (connection strings, or Azure.Identity), how often to poll, and whether to stop once everything
/// available is processed. Secrets are read where the clients are made and never kept here.
/// </summary>
public sealed record ProcessorOptions
{
    /// <summary>A service-policy connection string; when set, each pass also refreshes gold.store_health from module twins.</summary>
    public const string IotHubConnectionStringVariable = "RETAILEDGE_IOTHUB_CONNECTION_STRING";

    /// <summary>The hub host name ({hub}.azure-devices.net): the same refresh, authenticated with Azure.Identity.</summary>
    public const string IotHubHostNameVariable = "RETAILEDGE_IOTHUB_HOST_NAME";

    public const string IotHubEndpointVariable = "RETAILEDGE_IOTHUB_ENDPOINT";

    public required string Source { get; init; }

    public required string Lake { get; init; }

    /// <summary>RETAILEDGE_STORAGE_AUTH: auto (a location's connection string when set, else Azure.Identity), connection-string or azure-identity.</summary>
    public StorageAuthMode StorageAuth { get; init; }

    /// <summary>The blob source and how it authenticates; null for a folder.</summary>
    public BlobLocation? SourceBlob { get; init; }

    /// <summary>The blob lake and how it authenticates; null for a folder.</summary>
    public BlobLocation? LakeBlob { get; init; }

    /// <summary>Set when the hub is reached with Azure.Identity (RETAILEDGE_IOTHUB_HOST_NAME) rather than a connection string.</summary>
    public string? IotHubHostName { get; init; }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Process everything available, then exit (exit code 0), like `retailedge processor run --once`.</summary>
    public bool Once { get; init; }

    /// <summary>How long a stop request waits for the commit in flight before cancelling it.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(20);

    public int LanderMaxFilesPerCommit { get; init; } = 200;

    public int RefinerMaxBronzeCommits { get; init; } = 20;

    public string? ScratchDirectory { get; init; }

    /// <summary>Where the IoT Hub service API is reached instead of https://{HostName}/ (the local hub emulator).
    /// The connection string itself (RETAILEDGE_IOTHUB_CONNECTION_STRING) is a secret and is not kept in these options.</summary>
    public Uri? IotHubEndpoint { get; init; }

    /// <summary>
    /// RETAILEDGE_PUBLISH_REFERENCE (default true): with a hub configured, each pass also sends changed
    /// reference tables down to the StoreGateway module twins (the identity then needs twin write access).
    /// </summary>
    public bool PublishReferenceData { get; init; } = true;

    /// <summary>RETAILEDGE_REFERENCE_URL_HOURS (default 168, at most 168): how long a blob url to a large reference set stays valid.</summary>
    public TimeSpan ReferenceUrlLifetime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>A store is stale in gold.store_health when its gateway's lastSentAt is older than this.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromMinutes(15);

    public static ProcessorOptions FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return FromEnvironment(new AzureAccess(environment));
    }

    /// <summary>Reads RETAILEDGE_SOURCE, RETAILEDGE_LAKE, RETAILEDGE_POLL_SECONDS, RETAILEDGE_ONCE, RETAILEDGE_SHUTDOWN_GRACE_SECONDS,
    /// RETAILEDGE_LANDER_MAX_FILES, RETAILEDGE_REFINER_MAX_COMMITS, RETAILEDGE_SCRATCH, RETAILEDGE_IOTHUB_ENDPOINT,
    /// RETAILEDGE_IOTHUB_HOST_NAME, RETAILEDGE_STALE_MINUTES, RETAILEDGE_STORAGE_AUTH, RETAILEDGE_PUBLISH_REFERENCE, RETAILEDGE_REFERENCE_URL_HOURS; an invalid value names the setting.
    /// A blob source or lake is checked here (URL, container, which credentials it will use), so a
    /// configuration that cannot work fails at start, not at the first poll. Nothing creates a
    /// token yet: Azure.Identity is asked on the first pass, whose failure says which settings to fix.</summary>
    public static ProcessorOptions FromEnvironment(AzureAccess access)
    {
        ArgumentNullException.ThrowIfNull(access);
        var environment = access.Environment;
        string Required(string name) => environment(name) is { Length: > 0 } value ? value
            : throw new InvalidOperationException($"{name} is not set: it must name the {(name.EndsWith("SOURCE", StringComparison.Ordinal) ? "routed telemetry source (folder or blob container URL)" : "lake root (folder or blob container URL)")}");
        int Int(string name, int fallback, int min) => environment(name) is { Length: > 0 } text
            ? int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) && v >= min ? v
                : throw new InvalidOperationException($"{name} must be an integer ≥ {min}, not '{text}'")
            : fallback;
        bool Bool(string name, bool fallback) => environment(name) is { Length: > 0 } text
            ? bool.TryParse(text, out var value) ? value : throw new InvalidOperationException($"{name} must be true or false, not '{text}'")
            : fallback;
        var once = Bool("RETAILEDGE_ONCE", false);
        var urlHours = Int("RETAILEDGE_REFERENCE_URL_HOURS", 168, 1);
        if (urlHours > 168)
        {
            throw new InvalidOperationException($"RETAILEDGE_REFERENCE_URL_HOURS must be at most 168 (a week, the longest a user delegation SAS lives), not {urlHours}");
        }
        Uri? endpoint = null;
        if (environment(IotHubEndpointVariable) is { Length: > 0 } endpointText
            && (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)))
        {
            throw new InvalidOperationException($"{IotHubEndpointVariable} must be an absolute http(s) URL, not '{endpointText}'");
        }
        var source = Required("RETAILEDGE_SOURCE");
        var lake = Required("RETAILEDGE_LAKE");
        BlobLocation? Blob(string name, Func<string, AzureAccess, BlobLocation?> resolve, string location)
        {
            try
            {
                return resolve(location, access);
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException($"{name}: {e.Message}", e);
            }
        }
        StorageAuthMode storageAuth;
        try
        {
            // checked even for folder locations: a typo here should not wait until the lake moves to blob storage
            storageAuth = access.StorageAuth;
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
        var sourceBlob = Blob("RETAILEDGE_SOURCE", LakeLocations.ResolveSource, source);
        var lakeBlob = Blob("RETAILEDGE_LAKE", LakeLocations.ResolveLake, lake);
        var hostName = access.Get(IotHubHostNameVariable)?.Trim();
        if (hostName is not null)
        {
            if (access.Get(IotHubConnectionStringVariable) is not null)
            {
                throw new InvalidOperationException($"{IotHubConnectionStringVariable} and {IotHubHostNameVariable} are both set: set the connection string (shared access policy) or the host name (Azure.Identity), not both");
            }
            if (Uri.CheckHostName(hostName) != UriHostNameType.Dns)
            {
                throw new InvalidOperationException($"{IotHubHostNameVariable} must be a host name such as myhub.azure-devices.net (no scheme, path or port), not '{hostName}'");
            }
        }
        return new ProcessorOptions
        {
            Source = source,
            Lake = lake,
            StorageAuth = storageAuth,
            SourceBlob = sourceBlob,
            LakeBlob = lakeBlob,
            IotHubHostName = hostName,
            PollInterval = TimeSpan.FromSeconds(Int("RETAILEDGE_POLL_SECONDS", 30, 1)),
            Once = once,
            ShutdownGrace = TimeSpan.FromSeconds(Int("RETAILEDGE_SHUTDOWN_GRACE_SECONDS", 20, 0)),
            LanderMaxFilesPerCommit = Int("RETAILEDGE_LANDER_MAX_FILES", 200, 1),
            RefinerMaxBronzeCommits = Int("RETAILEDGE_REFINER_MAX_COMMITS", 20, 1),
            ScratchDirectory = environment("RETAILEDGE_SCRATCH") is { Length: > 0 } scratch ? scratch : null,
            IotHubEndpoint = endpoint,
            StaleAfter = TimeSpan.FromMinutes(Int("RETAILEDGE_STALE_MINUTES", 15, 1)),
            PublishReferenceData = Bool("RETAILEDGE_PUBLISH_REFERENCE", true),
            ReferenceUrlLifetime = TimeSpan.FromHours(urlHours),
        };
    }
}
