using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using RetailEdge.HubEmulator;
using RetailEdge.HubEmulator.Registry;

namespace RetailEdge.Cli;

/// <summary>
/// <c>retailedge emulator</c>: run the local IoT Hub emulator, add module identities to its
/// registry, and print the service connection string.
/// </summary>
public static class EmulatorCommand
{
    /// <summary>Environment variable with the storage account key for a blob --routing URL without a SAS.</summary>
    public const string RoutingAccountKeyVariable = "RETAILEDGE_ROUTING_ACCOUNT_KEY";

    /// <summary>Default endpoints: the ports the official SDKs dial with TLS (8883 MQTT, 443 HTTPS), the plain ones without.</summary>
    public const string DefaultMqttsEndPoint = "127.0.0.1:8883";
    public const string DefaultHttpsEndPoint = "127.0.0.1:443";
    public const string DefaultMqttEndPoint = "127.0.0.1:1883";
    public const string DefaultHttpEndPoint = "127.0.0.1:8080";

    /// <summary>Default built-in (Event Hubs-compatible) endpoint: AMQP's ports, 5671 with TLS and 5672 without.</summary>
    public const string DefaultAmqpsEndPoint = "127.0.0.1:5671";
    public const string DefaultAmqpEndPoint = "127.0.0.1:5672";

    public static Command Create()
    {
        var command = new Command("emulator", "A local IoT Hub: device MQTT endpoint, twins, methods, service REST API, routing to storage, the built-in Event Hubs-compatible endpoint");
        command.Subcommands.Add(CreateRun());
        command.Subcommands.Add(CreateAddModule());
        command.Subcommands.Add(CreateServiceConnectionString());
        command.Subcommands.Add(CreateEventHubConnectionString());
        return command;
    }

    private static Option<string> RegistryOption() => new("--registry")
    {
        Description = "The registry JSON file of devices, modules and keys (created when missing; mode 600)",
        Required = true,
    };

    private static Option<string> HubNameOption()
    {
        var option = new Option<string>("--hub-name")
        {
            Description = "The hub name: host name {name}.azure-devices.net and the first segment of routed blob names",
            Required = true,
        };
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>() ?? string.Empty;
            if (value.Length is 0 or > 50 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                result.AddError($"--hub-name '{value}' must be 1-50 ASCII letters, digits or '-'");
            }
        });
        return option;
    }

    private static Command CreateRun()
    {
        var registry = RegistryOption();
        var hubName = HubNameOption();
        var mqtt = EndPointOption("--mqtt", $"Device MQTT endpoint, address:port (default {DefaultMqttsEndPoint}, where the official device SDKs dial; {DefaultMqttEndPoint} with --tls false)");
        var rest = EndPointOption("--rest", $"Service REST endpoint, address:port (default {DefaultHttpsEndPoint}, where the official service SDKs and az call; ports below 1024 need root or CAP_NET_BIND_SERVICE; {DefaultHttpEndPoint} with --tls false)");
        var eventHubs = EventHubsOption();
        var retention = DurationOption("--event-retention", "How long the built-in Event Hubs-compatible endpoint keeps events: e.g. 1d (default, as IoT Hub), 12h, 7d",
            "1d", (TimeSpan.FromMinutes(1), "1m"), (TimeSpan.FromDays(90), "90d"));
        var partitions = new Option<int>("--partitions")
        {
            Description = "The hub's partitions (default 4): of routing and of the built-in endpoint; a device's messages always land in the same one",
            DefaultValueFactory = _ => 4,
        };
        partitions.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 32)
            {
                result.AddError("--partitions must be 1-32");
            }
        });
        var routing = new Option<string>("--routing")
        {
            Description = $"Where routed telemetry goes: a folder, or a blob container URL http[s]://…/{{account}}/{{container}} with the account key in {RoutingAccountKeyVariable} (never a SAS query: a command line is visible to every user)",
            Required = true,
        };
        routing.Validators.Add(result =>
        {
            // a SAS in the URL is a secret on the command line: refused without echoing it
            if (result.GetValueOrDefault<string>() is { } target && target.Contains('?', StringComparison.Ordinal)
                && Uri.TryCreate(target, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                result.AddError($"--routing must not carry a query (a SAS token) in its URL: a command line is visible to every user of the machine; put the account key in {RoutingAccountKeyVariable}");
            }
        });
        var batchInterval = DurationOption("--batch-interval", "How often routed files are written: e.g. 10s (default), 60s, 5m",
            "10s", (TimeSpan.FromMilliseconds(100), "100ms"), (TimeSpan.FromHours(1), "1h"));
        var tls = new Option<bool>("--tls")
        {
            Description = "Serve MQTT and REST over TLS (default true) with a self-signed certificate kept beside the registry ({hub}-emulator-cert.pem to trust); --tls false serves plain MQTT and HTTP",
            DefaultValueFactory = _ => true,
        };
        var ackAfterWrite = new Option<bool>("--ack-after-write")
        {
            Description = "Durable mode: acknowledge (PUBACK) a telemetry message only after the routed file holding it is written, so a crash loses nothing acknowledged; "
                + "a connection then gets about one message per --batch-interval and its PINGREQ waits for the write, so use a short interval (e.g. 200ms) and client keep-alives well above it",
        };
        var command = new Command("run", "Run the hub emulator until Ctrl+C; buffered routed records are written on stop")
        {
            registry, hubName, mqtt, rest, eventHubs, routing, batchInterval, tls, ackAfterWrite, retention, partitions,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var useTls = parseResult.GetValue(tls);
            EmulatorArguments.TryParseEndPoint(parseResult.GetValue(mqtt) ?? (useTls ? DefaultMqttsEndPoint : DefaultMqttEndPoint), "--mqtt", out var mqttEndPoint, out _);
            EmulatorArguments.TryParseEndPoint(parseResult.GetValue(rest) ?? (useTls ? DefaultHttpsEndPoint : DefaultHttpEndPoint), "--rest", out var restEndPoint, out _);
            EmulatorArguments.TryParseEndPoint(parseResult.GetValue(eventHubs) ?? (useTls ? DefaultAmqpsEndPoint : DefaultAmqpEndPoint), "--eventhubs", out var eventHubsEndPoint, out _);
            EmulatorArguments.TryParseInterval(parseResult.GetValue(batchInterval)!, "--batch-interval", out var interval, out _);
            EmulatorArguments.TryParseInterval(parseResult.GetValue(retention)!, "--event-retention", out var eventRetention, out _);
            var options = new HubEmulatorOptions
            {
                RegistryPath = parseResult.GetValue(registry)!,
                HubName = parseResult.GetValue(hubName)!,
                MqttEndPoint = mqttEndPoint,
                RestEndPoint = restEndPoint,
                EventHubsEndPoint = eventHubsEndPoint,
                EventRetention = eventRetention,
                PartitionCount = parseResult.GetValue(partitions),
                RoutingTarget = parseResult.GetValue(routing)!,
                RoutingAccountKey = Environment.GetEnvironmentVariable(RoutingAccountKeyVariable),
                BatchInterval = interval,
                UseTls = useTls,
                AcknowledgeAfterWrite = parseResult.GetValue(ackAfterWrite),
            };
            return RunAsync(options, cancellationToken);
        });
        return command;
    }

    private static Command CreateAddModule()
    {
        var registry = RegistryOption();
        var hubName = HubNameOption();
        var deviceId = new Argument<string>("deviceId") { Description = "The device id, e.g. store017-gw" };
        var moduleId = new Argument<string>("moduleId") { Description = "The module id, e.g. StoreGateway" };
        var command = new Command("add-module", "Add a module identity (and its device) to the registry and print its connection string")
        {
            registry, hubName, deviceId, moduleId,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                var hub = await HubRegistry.OpenOrCreateAsync(parseResult.GetValue(registry)!, parseResult.GetValue(hubName)!, cancellationToken: cancellationToken).ConfigureAwait(false);
                var device = parseResult.GetValue(deviceId)!;
                var module = parseResult.GetValue(moduleId)!;
                await hub.AddModuleAsync(device, module, cancellationToken).ConfigureAwait(false);
                // stdout carries only the connection string, so scripts can capture it
                await Console.Out.WriteLineAsync(hub.ModuleConnectionString(device, module)).ConfigureAwait(false);
                return 0;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    private static Command CreateServiceConnectionString()
    {
        var registry = RegistryOption();
        var hubName = HubNameOption();
        var command = new Command("service-connection-string", "Print the service-policy connection string of the emulator's hub")
        {
            registry, hubName,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                var hub = await HubRegistry.OpenOrCreateAsync(parseResult.GetValue(registry)!, parseResult.GetValue(hubName)!, cancellationToken: cancellationToken).ConfigureAwait(false);
                await Console.Out.WriteLineAsync(hub.ServiceConnectionString()).ConfigureAwait(false);
                return 0;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    /// <summary>A duration option (500ms, 10s, 2m, 1h, 1d) checked against its range when parsed.</summary>
    private static Option<string> DurationOption(string name, string description, string defaultValue, (TimeSpan Value, string Text) min, (TimeSpan Value, string Text) max)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (!EmulatorArguments.TryParseInterval(result.GetValueOrDefault<string>() ?? string.Empty, name, out var value, out var error))
            {
                result.AddError(error);
            }
            else if (value < min.Value || value > max.Value)
            {
                result.AddError($"{name} must be between {min.Text} and {max.Text}");
            }
        });
        return option;
    }

    private static Option<string?> EventHubsOption() => EndPointOption("--eventhubs",
        $"The built-in Event Hubs-compatible endpoint (AMQP), address:port (default {DefaultAmqpsEndPoint} with TLS, {DefaultAmqpEndPoint} with --tls false)");

    private static Command CreateEventHubConnectionString()
    {
        var registry = RegistryOption();
        var hubName = HubNameOption();
        var eventHubs = EventHubsOption();
        var tls = new Option<bool>("--tls")
        {
            Description = "Whether the emulator runs with TLS (default true, AMQPS); --tls false adds UseDevelopmentEmulator=true for plain AMQP",
            DefaultValueFactory = _ => true,
        };
        var command = new Command("eventhub-connection-string",
            "Print the Event Hubs-compatible connection string of the hub's built-in endpoint (Endpoint=sb://…/;SharedAccessKeyName=…;SharedAccessKey=…;EntityPath=<hub>), as the portal shows it")
        {
            registry, hubName, eventHubs, tls,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                var useTls = parseResult.GetValue(tls);
                EmulatorArguments.TryParseEndPoint(parseResult.GetValue(eventHubs) ?? (useTls ? DefaultAmqpsEndPoint : DefaultAmqpEndPoint), "--eventhubs", out var endPoint, out _);
                var hub = await HubRegistry.OpenOrCreateAsync(parseResult.GetValue(registry)!, parseResult.GetValue(hubName)!, cancellationToken: cancellationToken).ConfigureAwait(false);
                // stdout carries only the connection string, so scripts can capture it; it holds the policy key and is never logged
                await Console.Out.WriteLineAsync(RetailEdge.HubEmulator.EventHubs.EventHubsConnectionStrings.Build(endPoint, hub.ServicePolicy, hub.HubName, useTls)).ConfigureAwait(false);
                return 0;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    private static Option<string?> EndPointOption(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description };
        option.Validators.Add(result =>
        {
            if (!EmulatorArguments.TryParseEndPoint(result.GetValueOrDefault<string?>() ?? string.Empty, name, out _, out var error))
            {
                result.AddError(error);
            }
        });
        return option;
    }

    /// <summary>Runs the emulator until <paramref name="cancellationToken"/> fires (Ctrl+C, SIGTERM). Returns the exit code.</summary>
    public static async Task<int> RunAsync(HubEmulatorOptions options, CancellationToken cancellationToken) =>
        await RunAsync(options, Console.Out, Console.Error, cancellationToken).ConfigureAwait(false);

    /// <summary>As <see cref="RunAsync(HubEmulatorOptions, CancellationToken)"/>, printing the guide to <paramref name="output"/> and failures to <paramref name="error"/>.</summary>
    public static async Task<int> RunAsync(HubEmulatorOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        using var loggerFactory = LoggerFactory.Create(builder => builder
            .AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss.fff "; })
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning));
        var emulator = new HubEmulator.HubEmulator(options, TimeProvider.System, loggerFactory);
        try
        {
            await emulator.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            await emulator.DisposeAsync().ConfigureAwait(false);
            await error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            if (Math.Min(Math.Min(options.MqttEndPoint.Port, options.RestEndPoint.Port), options.EventHubsEndPoint.Port) is > 0 and < 1024)
            {
                await error.WriteLineAsync(
                    "Ports below 1024 need root or the CAP_NET_BIND_SERVICE capability. The official service SDKs and az call port 443; "
                    + "RetailEdge's own commands and curl take any port: e.g. --rest 127.0.0.1:8443.").ConfigureAwait(false);
            }
            return 1;
        }
        await using (emulator.ConfigureAwait(false))
        {
            foreach (var line in EmulatorGuide.Lines(emulator))
            {
                await output.WriteLineAsync(line).ConfigureAwait(false);
            }
            await output.WriteLineAsync($"Routing to {options.RoutingTarget.Split('?')[0]} every {options.BatchInterval.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}s; "
                + (options.AcknowledgeAfterWrite ? "telemetry acknowledged after its routed file is written (--ack-after-write)." : "telemetry acknowledged once buffered (a crash can lose up to one interval; --ack-after-write to wait for the file).")).ConfigureAwait(false);
            await output.WriteLineAsync("Ctrl+C stops; buffered routed records are written first.").ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            await emulator.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await output.WriteLineAsync($"stopped: {emulator.Routing.RecordsWritten} routed records in {emulator.Routing.FilesWritten} files").ConfigureAwait(false);
        }
        return 0;
    }
}
