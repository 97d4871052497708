using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using RetailEdge.IotHubService;

namespace RetailEdge.Cli;

/// <summary>
/// <c>retailedge fleet flush|replay|set-log-level &lt;device&gt;</c> and <c>fleet status &lt;device&gt;</c>: the
/// StoreGateway module's direct methods (ARCHITECTURE.md §8) through the IoT Hub service API, with the
/// module's answer printed as JSON. Exit 0 when the module answers 2xx, <see cref="ModuleRefusedExitCode"/>
/// when it answers with an error (e.g. a bad replay range), <see cref="DeployCommand.HubFailedExitCode"/>
/// when the hub cannot reach it (not connected, no answer in time).
/// </summary>
internal static class FleetMethodCommands
{
    /// <summary>Exit code when the module answered with a status other than 2xx.</summary>
    public const int ModuleRefusedExitCode = 1;

    public const string DefaultModule = "StoreGateway";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Flush() => Method("flush", "Seal every open window now and send the backlog (method flush)", "flush", null);

    public static Command Replay()
    {
        var from = new Option<long>("--from") { Description = "First seq to resend", Required = true };
        var to = new Option<long>("--to") { Description = "Last seq to resend", Required = true };
        var command = Method("replay", "Resend a journal range with its original seq numbers (method replay); the cloud deduplicates them, so gold does not change", "replay",
            parseResult =>
            {
                var first = parseResult.GetValue(from);
                var last = parseResult.GetValue(to);
                return first < 1 || last < first ? null : new JsonObject { ["from"] = first, ["to"] = last };
            },
            "--from and --to must satisfy 1 ≤ from ≤ to");
        command.Options.Add(from);
        command.Options.Add(to);
        return command;
    }

    public static Command SetLogLevel()
    {
        var level = new Argument<string>("level") { Description = "Trace, Debug, Information, Warning, Error or Critical" };
        level.AcceptOnlyFromAmong("Trace", "Debug", "Information", "Warning", "Error", "Critical");
        var command = Method("set-log-level", "Change the module's log level at run time (method setLogLevel)", "setLogLevel",
            parseResult => new JsonObject { ["level"] = parseResult.GetValue(level) });
        command.Arguments.Add(level);
        return command;
    }

    /// <summary>The module's own answer to the status method: its state right now, not the twin's last report.</summary>
    public static async Task<int> StatusAsync(IotHubServiceClient hub, string deviceId, string moduleId, TimeSpan timeout, TextWriter output, CancellationToken cancellationToken) =>
        await InvokeAsync(hub, deviceId, moduleId, new MethodInvocation("status") { ResponseTimeout = timeout }, output, cancellationToken).ConfigureAwait(false);

    /// <summary>The options every method command shares.</summary>
    public static (Argument<string> Device, Option<string> Module, Option<int> Timeout) TargetOptions()
    {
        var device = new Argument<string>("device") { Description = "The gateway's IoT Edge device id, e.g. store001-gw" };
        var module = new Option<string>("--module") { Description = "The module to call", DefaultValueFactory = _ => DefaultModule };
        var timeout = new Option<int>("--timeout") { Description = "Seconds the hub waits for the module's answer (5–300)", DefaultValueFactory = _ => 30 };
        timeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 5 or > 300)
            {
                r.AddError("--timeout must be 5–300 seconds");
            }
        });
        return (device, module, timeout);
    }

    private static Command Method(string name, string description, string methodName, Func<ParseResult, JsonObject?>? payload, string? payloadError = null)
    {
        var (device, module, timeout) = TargetOptions();
        var iotHub = IotHubArguments.Create("invoke the module's method");
        var command = new Command(name, description);
        command.Arguments.Add(device);
        command.Options.Add(module);
        command.Options.Add(timeout);
        iotHub.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            JsonObject? body = null;
            if (payload is not null && (body = payload(parseResult)) is null)
            {
                await Console.Error.WriteLineAsync("error: " + payloadError).ConfigureAwait(false);
                return CliApp.UsageError;
            }
            using var hub = await iotHub.TryOpenRequiredAsync(parseResult).ConfigureAwait(false);
            if (hub is null)
            {
                return CliApp.UsageError;
            }
            var invocation = new MethodInvocation(methodName, body) { ResponseTimeout = TimeSpan.FromSeconds(parseResult.GetValue(timeout)) };
            return await InvokeAsync(hub, parseResult.GetValue(device)!, parseResult.GetValue(module)!, invocation, Console.Out, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> InvokeAsync(IotHubServiceClient hub, string deviceId, string moduleId, MethodInvocation invocation, TextWriter output, CancellationToken cancellationToken)
    {
        MethodResult result;
        try
        {
            result = await hub.InvokeModuleMethodAsync(deviceId, moduleId, invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IotHubArguments.DescribeHubFailure(e) is { } failure)
        {
            await Console.Error.WriteLineAsync($"error: {deviceId}/{moduleId} {invocation.MethodName}: {failure}").ConfigureAwait(false);
            return DeployCommand.HubFailedExitCode;
        }
        await output.WriteLineAsync($"{deviceId}/{moduleId} {invocation.MethodName}: status {result.Status}").ConfigureAwait(false);
        await output.WriteLineAsync(result.Payload?.ToJsonString(Indented) ?? "null").ConfigureAwait(false);
        return result.Status is >= 200 and < 300 ? 0 : ModuleRefusedExitCode;
    }
}
