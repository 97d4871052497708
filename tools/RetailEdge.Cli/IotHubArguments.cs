using System.CommandLine;
using RetailEdge.IotHubService;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;

namespace RetailEdge.Cli;

/// <summary>
/// The `--iothub` / `--iothub-host` / `--iothub-endpoint` options shared by the commands that
/// talk to the IoT Hub service API, with their environment-variable defaults. The endpoint is
/// taken as text and checked here: System.CommandLine has no built-in parser for <see cref="Uri"/>.
/// </summary>
internal sealed class IotHubArguments
{
    public const string ConnectionStringVariable = "RETAILEDGE_IOTHUB_CONNECTION_STRING";
    public const string HostNameVariable = "RETAILEDGE_IOTHUB_HOST_NAME";
    public const string EndpointVariable = "RETAILEDGE_IOTHUB_ENDPOINT";

    private readonly Option<string?> _connectionString;
    private readonly Option<string?> _hostName;
    private readonly Option<string?> _endpoint;

    private IotHubArguments(Option<string?> connectionString, Option<string?> hostName, Option<string?> endpoint)
    {
        _connectionString = connectionString;
        _hostName = hostName;
        _endpoint = endpoint;
    }

    public static IotHubArguments Create(string purpose)
    {
        var connectionString = new Option<string?>("--iothub") { Description = $"IoT Hub service connection string: {purpose} (default: {ConnectionStringVariable})" };
        var hostName = new Option<string?>("--iothub-host") { Description = $"IoT Hub host name ({{hub}}.azure-devices.net) reached with Azure.Identity instead of a connection string (default: {HostNameVariable})" };
        var endpoint = new Option<string?>("--iothub-endpoint") { Description = $"Service API endpoint instead of https://{{HostName}}/, e.g. the local hub emulator (default: {EndpointVariable})" };
        endpoint.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && !TryParseEndpoint(text, out _))
            {
                r.AddError($"--iothub-endpoint '{text}' is not an absolute http or https URL");
            }
        });
        return new IotHubArguments(connectionString, hostName, endpoint);
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_connectionString);
        command.Options.Add(_hostName);
        command.Options.Add(_endpoint);
    }

    /// <summary>The hub settings from the options, else from the environment.</summary>
    public IotHubSettings Resolve(ParseResult parseResult, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var endpointText = parseResult.GetValue(_endpoint) ?? environment(EndpointVariable);
        return new IotHubSettings(
            NullIfBlank(parseResult.GetValue(_connectionString) ?? environment(ConnectionStringVariable)),
            NullIfBlank(parseResult.GetValue(_hostName) ?? environment(HostNameVariable)),
            endpointText is not null && TryParseEndpoint(endpointText, out var endpoint) ? endpoint : null);
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static bool TryParseEndpoint(string text, out Uri endpoint) =>
        Uri.TryCreate(text, UriKind.Absolute, out endpoint!) && (endpoint.Scheme == Uri.UriSchemeHttp || endpoint.Scheme == Uri.UriSchemeHttps);
}

/// <summary>How to reach the IoT Hub service API: a connection string (SAS) or a host name with Azure.Identity.</summary>
internal sealed record IotHubSettings(string? ConnectionString, string? HostName, Uri? Endpoint)
{
    public bool IsConfigured => ConnectionString is not null || HostName is not null;

    /// <summary>
    /// The service client, or null when no hub is configured. Bad settings throw an
    /// <see cref="ArgumentException"/> that names the setting, never a key.
    /// </summary>
    public IotHubServiceClient? Open(AzureAccess access)
    {
        ArgumentNullException.ThrowIfNull(access);
        if (ConnectionString is not null)
        {
            if (HostName is not null)
            {
                throw new ArgumentException("give the IoT Hub connection string (--iothub) or its host name (--iothub-host, Azure.Identity), not both");
            }
            return new IotHubServiceClient(new IotHubServiceClientOptions { ConnectionString = ConnectionString, Endpoint = Endpoint });
        }
        if (HostName is null)
        {
            return null;
        }
        if (Uri.CheckHostName(HostName) != UriHostNameType.Dns)
        {
            throw new ArgumentException($"--iothub-host must be a host name such as myhub.azure-devices.net, not '{HostName}'");
        }
        return new IotHubServiceClient(new IotHubServiceClientOptions
        {
            HostName = HostName,
            Credential = access.CredentialFor($"the IoT Hub {HostName} (--iothub-host)"),
            Endpoint = Endpoint,
        });
    }
}
