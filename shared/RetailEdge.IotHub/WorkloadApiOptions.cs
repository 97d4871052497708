using RetailEdge.IotHub.Credentials;

namespace RetailEdge.IotHub;

/// <summary>Where and how to reach the IoT Edge workload API (ARCHITECTURE.md §7, PROTOCOLS.md "IoT Edge module runtime").</summary>
public sealed record WorkloadApiOptions
{
    /// <summary>The API version used when <c>IOTEDGE_APIVERSION</c> is not given (the oldest with sign and trust-bundle).</summary>
    public const string DefaultApiVersion = "2018-06-28";

    /// <summary><c>IOTEDGE_WORKLOADURI</c>: <c>unix:///var/run/iotedge/workload.sock</c> or an <c>http://</c> address.</summary>
    public required Uri WorkloadUri { get; init; }

    /// <summary><c>IOTEDGE_MODULEID</c>.</summary>
    public required string ModuleId { get; init; }

    /// <summary><c>IOTEDGE_MODULEGENERATIONID</c>.</summary>
    public required string GenerationId { get; init; }

    /// <summary><c>IOTEDGE_APIVERSION</c>.</summary>
    public string ApiVersion { get; init; } = DefaultApiVersion;

    /// <summary>Retries after a 5xx answer or a connection closed without reply (PROTOCOLS.md: retry 5xx 3×).</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>The first retry delay; doubled on each further retry.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Timeout of one HTTP request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (WorkloadUri is null || !WorkloadUri.IsAbsoluteUri || WorkloadUri.Scheme is not ("unix" or "http" or "https"))
        {
            throw new ArgumentException("IOTEDGE_WORKLOADURI must be an absolute unix://, http:// or https:// URI", nameof(WorkloadUri));
        }
        if (WorkloadUri.Scheme == "unix" && (WorkloadUri.AbsolutePath.Length <= 1 || WorkloadUri.AbsolutePath.EndsWith('/')))
        {
            throw new ArgumentException("IOTEDGE_WORKLOADURI must name a socket file (unix:///path/to/workload.sock)", nameof(WorkloadUri));
        }
        if (!IotHubConnectionString.IsIdentifier(ModuleId))
        {
            throw new ArgumentException("IOTEDGE_MODULEID is missing or invalid", nameof(ModuleId));
        }
        if (string.IsNullOrEmpty(GenerationId) || GenerationId.Length > 128 || !GenerationId.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException("IOTEDGE_MODULEGENERATIONID is missing or not alphanumeric", nameof(GenerationId));
        }
        if (string.IsNullOrEmpty(ApiVersion) || ApiVersion.Length > 32 || !ApiVersion.All(c => char.IsAsciiDigit(c) || c == '-'))
        {
            throw new ArgumentException("IOTEDGE_APIVERSION must look like 2019-01-30", nameof(ApiVersion));
        }
        if (MaxRetries is < 0 or > 10)
        {
            throw new ArgumentException("MaxRetries must be 0-10", nameof(MaxRetries));
        }
        if (RetryDelay < TimeSpan.Zero || RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("RetryDelay must be ≥ 0 and RequestTimeout > 0", nameof(RequestTimeout));
        }
    }
}
