using System.Collections;
using RetailEdge.IotHub.Credentials;

namespace RetailEdge.IotHub;

/// <summary>
/// The identity and endpoints a module gets from its environment, exactly as IoT Edge sets them
/// (PROTOCOLS.md "IoT Edge module runtime"): <c>EdgeHubConnectionString</c> or
/// <c>IotHubConnectionString</c> (+ <c>EdgeModuleCACertificateFile</c>) win when set, as in the SDK;
/// otherwise the <c>IOTEDGE_*</c> variables with <c>IOTEDGE_AUTHSCHEME=sasToken</c> and the workload API.
/// </summary>
public sealed record IotEdgeEnvironment
{
    /// <summary>The hub host name (token audience, user-name host).</summary>
    public required string IotHubHostName { get; init; }

    /// <summary>Where to connect (edgeHub); null means connect to the hub directly.</summary>
    public string? GatewayHostName { get; init; }

    /// <summary>The device id.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The module id.</summary>
    public required string ModuleId { get; init; }

    /// <summary>Set when a connection string was given (key available locally).</summary>
    public IotHubConnectionString? ConnectionString { get; init; }

    /// <summary><c>EdgeModuleCACertificateFile</c>: a PEM file to trust for the gateway (with a connection string).</summary>
    public string? CaCertificateFile { get; init; }

    /// <summary>Set when running under IoT Edge without a connection string: sign through the workload API.</summary>
    public WorkloadApiOptions? Workload { get; init; }

    /// <summary>Reads the current process environment.</summary>
    public static IotEdgeEnvironment FromProcess()
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = entry.Value as string;
        }
        return FromVariables(variables);
    }

    /// <summary>
    /// Reads the given variables; throws <see cref="InvalidOperationException"/> naming the missing or
    /// invalid variable (never its value when it is secret).
    /// </summary>
    public static IotEdgeEnvironment FromVariables(IReadOnlyDictionary<string, string?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        string? Get(string name) => variables.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        foreach (var name in new[] { "EdgeHubConnectionString", "IotHubConnectionString" })
        {
            var text = Get(name);
            if (text is null)
            {
                continue;
            }
            if (!IotHubConnectionString.TryParse(text, out var connectionString, out var error))
            {
                throw new InvalidOperationException($"{name} is invalid: {error}");
            }
            if (!connectionString.IsModule)
            {
                throw new InvalidOperationException($"{name} must be a module connection string (HostName, DeviceId, ModuleId, SharedAccessKey)");
            }
            var caFile = Get("EdgeModuleCACertificateFile");
            if (caFile is not null && !File.Exists(caFile))
            {
                throw new InvalidOperationException($"EdgeModuleCACertificateFile points to a missing file: {caFile}");
            }
            return new IotEdgeEnvironment
            {
                IotHubHostName = connectionString.HostName,
                GatewayHostName = connectionString.GatewayHostName,
                DeviceId = connectionString.DeviceId!,
                ModuleId = connectionString.ModuleId!,
                ConnectionString = connectionString,
                CaCertificateFile = caFile,
            };
        }

        string Require(string name) => Get(name)
            ?? throw new InvalidOperationException($"{name} is not set: run under IoT Edge or set EdgeHubConnectionString / IotHubConnectionString");

        var scheme = Require("IOTEDGE_AUTHSCHEME");
        if (!string.Equals(scheme, "sasToken", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"IOTEDGE_AUTHSCHEME is '{scheme}'; only sasToken is supported");
        }
        var hostName = Require("IOTEDGE_IOTHUBHOSTNAME");
        var deviceId = Require("IOTEDGE_DEVICEID");
        var moduleId = Require("IOTEDGE_MODULEID");
        var gateway = Get("IOTEDGE_GATEWAYHOSTNAME");
        if (!IotHubConnectionString.IsHostName(hostName))
        {
            throw new InvalidOperationException("IOTEDGE_IOTHUBHOSTNAME is not a valid host name");
        }
        if (gateway is not null && !IotHubConnectionString.IsHostName(gateway))
        {
            throw new InvalidOperationException("IOTEDGE_GATEWAYHOSTNAME is not a valid host name");
        }
        if (!IotHubConnectionString.IsIdentifier(deviceId))
        {
            throw new InvalidOperationException("IOTEDGE_DEVICEID is not a valid device id");
        }
        if (!Uri.TryCreate(Require("IOTEDGE_WORKLOADURI"), UriKind.Absolute, out var workloadUri))
        {
            throw new InvalidOperationException("IOTEDGE_WORKLOADURI is not an absolute URI");
        }
        var workload = new WorkloadApiOptions
        {
            WorkloadUri = workloadUri,
            ModuleId = moduleId,
            GenerationId = Require("IOTEDGE_MODULEGENERATIONID"),
            ApiVersion = Get("IOTEDGE_APIVERSION") ?? WorkloadApiOptions.DefaultApiVersion,
        };
        try
        {
            workload.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }
        return new IotEdgeEnvironment
        {
            IotHubHostName = hostName,
            GatewayHostName = gateway,
            DeviceId = deviceId,
            ModuleId = moduleId,
            Workload = workload,
        };
    }
}
