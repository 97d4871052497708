using System.CommandLine;

namespace RetailEdge.Cli;

/// <summary>
/// The `--iothub` / `--iothub-endpoint` pair shared by the commands that talk to the IoT Hub
/// service API, with their environment-variable defaults. The endpoint is taken as text and
/// checked here: System.CommandLine has no built-in parser for <see cref="Uri"/>.
/// </summary>
internal sealed class IotHubArguments
{
    public const string ConnectionStringVariable = "RETAILEDGE_IOTHUB_CONNECTION_STRING";
    public const string EndpointVariable = "RETAILEDGE_IOTHUB_ENDPOINT";

    private IotHubArguments(Option<string?> connectionString, Option<string?> endpoint)
    {
        ConnectionString = connectionString;
        Endpoint = endpoint;
    }

    public Option<string?> ConnectionString { get; }

    public Option<string?> Endpoint { get; }

    public static IotHubArguments Create(string purpose)
    {
        var connectionString = new Option<string?>("--iothub") { Description = $"IoT Hub service connection string: {purpose} (default: {ConnectionStringVariable})" };
        var endpoint = new Option<string?>("--iothub-endpoint") { Description = $"Service API endpoint instead of https://{{HostName}}/, e.g. the local hub emulator (default: {EndpointVariable})" };
        endpoint.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && !TryParseEndpoint(text, out _))
            {
                r.AddError($"--iothub-endpoint '{text}' is not an absolute http or https URL");
            }
        });
        return new IotHubArguments(connectionString, endpoint);
    }

    public void AddTo(Command command)
    {
        command.Options.Add(ConnectionString);
        command.Options.Add(Endpoint);
    }

    /// <summary>The connection string (option, else environment; null when neither) and the endpoint override.</summary>
    public (string? ConnectionString, Uri? Endpoint) Resolve(ParseResult parseResult, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var connectionString = parseResult.GetValue(ConnectionString) ?? environment(ConnectionStringVariable);
        var endpointText = parseResult.GetValue(Endpoint) ?? environment(EndpointVariable);
        return (string.IsNullOrWhiteSpace(connectionString) ? null : connectionString,
            endpointText is not null && TryParseEndpoint(endpointText, out var endpoint) ? endpoint : null);
    }

    private static bool TryParseEndpoint(string text, out Uri endpoint) =>
        Uri.TryCreate(text, UriKind.Absolute, out endpoint!) && (endpoint.Scheme == Uri.UriSchemeHttp || endpoint.Scheme == Uri.UriSchemeHttps);
}
