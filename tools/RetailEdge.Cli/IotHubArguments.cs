using System.CommandLine;
using RetailEdge.IotHubService;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;

namespace RetailEdge.Cli;

/// <summary>
/// The `--iothub` / `--iothub-host` / `--iothub-endpoint` options shared by the commands that
/// talk to the IoT Hub service API, with their environment-variable defaults. The endpoint is
/// taken as text and checked here: System.CommandLine has no built-in parser for <see cref="Uri"/>.
/// A secret never comes from the command line (every user of the machine sees it in the process
/// list): `--iothub` names a file that holds the connection string, and a connection string given
/// there instead is refused without being echoed.
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
        var connectionString = new Option<string?>("--iothub")
        {
            Description = $"File holding the IoT Hub service connection string (never the string itself: a command line is visible to every user): {purpose} (default: the connection string in {ConnectionStringVariable})",
        };
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

    /// <summary>
    /// The hub settings from the options, else from the environment. Throws an <see cref="ArgumentException"/>
    /// naming the option (never its value) when `--iothub` is not a readable file with a connection string.
    /// </summary>
    public IotHubSettings Resolve(ParseResult parseResult, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        environment ??= Environment.GetEnvironmentVariable;
        var endpointText = parseResult.GetValue(_endpoint) ?? environment(EndpointVariable);
        var file = parseResult.GetValue(_connectionString);
        return new IotHubSettings(
            NullIfBlank(file is null ? environment(ConnectionStringVariable) : ReadConnectionStringFile(file)),
            NullIfBlank(parseResult.GetValue(_hostName) ?? environment(HostNameVariable)),
            endpointText is not null && TryParseEndpoint(endpointText, out var endpoint) ? endpoint : null);
    }

    /// <summary>Resolves the settings, or writes a one-line error (never a secret) and gives null: the caller exits with <see cref="CliApp.UsageError"/>.</summary>
    public async Task<IotHubSettings?> TryResolveAsync(ParseResult parseResult)
    {
        try
        {
            return Resolve(parseResult);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// The service client for a command that needs the hub, or null after a one-line error (never a secret):
    /// the caller exits with <see cref="CliApp.UsageError"/>.
    /// </summary>
    public async Task<IotHubServiceClient?> TryOpenRequiredAsync(ParseResult parseResult)
    {
        if (await TryResolveAsync(parseResult).ConfigureAwait(false) is not { } settings)
        {
            return null;
        }
        if (!settings.IsConfigured)
        {
            await Console.Error.WriteLineAsync($"error: give --iothub or --iothub-host (or {ConnectionStringVariable} / {HostNameVariable})").ConfigureAwait(false);
            return null;
        }
        try
        {
            return settings.Open(AzureAccess.FromProcess());
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>A one-line description of a failed hub call (IoT Hub's own error, the network, the credential), or null for other exceptions.</summary>
    public static string? DescribeHubFailure(Exception exception) => exception switch
    {
        // the service error's own message (status and IoT Hub error code); it never carries the key
        IotHubServiceException e => "IoT Hub refused the request: " + e.Message,
        HttpRequestException e => "IoT Hub is unreachable: " + e.Message,
        // names what was being opened and which variables choose the credential; never a secret
        AzureCredentialException e => e.Message,
        _ => null,
    };

    private static string ReadConnectionStringFile(string path)
    {
        // a value with the shape of a connection string or SAS token is a secret typed on the command line: refuse it, echo nothing
        if (path.Contains('=', StringComparison.Ordinal) || path.Contains(';', StringComparison.Ordinal)
            || path.Contains("SharedAccess", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"--iothub takes the path of a file that holds the connection string, not the connection string itself "
                + $"(a command line is visible to every user of the machine): put it in a file only you can read and pass its path, or set {ConnectionStringVariable}");
        }
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ArgumentException($"--iothub: cannot read the connection string file ({e.GetType().Name}); give the path of a readable file, or set {ConnectionStringVariable}", e);
        }
        return string.IsNullOrWhiteSpace(text)
            ? throw new ArgumentException($"--iothub: the connection string file is empty; or set {ConnectionStringVariable}")
            : text.Trim();
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
