using System.CommandLine;
using Spectre.Console;
using RetailEdge.Simulator;

namespace RetailEdge.Cli;

/// <summary>
/// <c>retailedge demo</c>: the whole system on one machine, on embedded defaults — simulated stores,
/// one StoreGateway per store, the local IoT Hub emulator, and the processor building the lake in a
/// local folder — then a summary of the gold tables.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var stores = new Option<int>("--stores") { Description = "Number of simulated stores (1..20, default 3)", DefaultValueFactory = _ => 3 };
        stores.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 20)
            {
                r.AddError("--stores must be from 1 to 20");
            }
        });
        var profile = new Option<string>("--profile") { Description = "Store size: small (default), reference or busy", DefaultValueFactory = _ => SimulationProfile.Small.Name };
        profile.Validators.Add(r =>
        {
            if (!SimulationProfile.TryGet(r.GetValueOrDefault<string>(), out _))
            {
                r.AddError($"--profile '{r.GetValueOrDefault<string>()}' is unknown: use small, reference or busy");
            }
        });
        var duration = new Option<string>("--duration") { Description = "Simulated time per store, e.g. 1d (default), 12h", DefaultValueFactory = _ => "1d" };
        duration.Validators.Add(r =>
        {
            if (!SimulateArguments.TryParseDuration(r.GetValueOrDefault<string>() ?? string.Empty, out var value, out var error))
            {
                r.AddError(error);
            }
            else if (value > TimeSpan.FromDays(7))
            {
                r.AddError("--duration is at most 7d for the demo");
            }
        });
        var start = new Option<string>("--start") { Description = "Simulated start, ISO-8601: each store's local time (2026-11-02T10:00, default 2026-11-02T00:00) or one instant (…Z)", DefaultValueFactory = _ => "2026-11-02T00:00:00" };
        start.Validators.Add(r =>
        {
            if (!SimulateArguments.TryParseStart(r.GetValueOrDefault<string>() ?? string.Empty, out _, out _, out var error))
            {
                r.AddError(error);
            }
        });
        var seed = new Option<int>("--seed") { Description = "Simulator seed (default 1)", DefaultValueFactory = _ => 1 };
        var faults = new Option<string>("--faults") { Description = "Injected faults: none, default (default) or heavy", DefaultValueFactory = _ => "default" };
        faults.Validators.Add(r =>
        {
            if (!FaultSettings.TryGet(r.GetValueOrDefault<string>(), out _))
            {
                r.AddError($"--faults '{r.GetValueOrDefault<string>()}' is unknown: use none, default or heavy");
            }
        });
        var source = new Option<string>("--source") { Description = "Where the processor reads the hub: eventhubs (the built-in Event Hubs-compatible endpoint, default: the fresher) or routing (routed files)", DefaultValueFactory = _ => DemoOptions.EventHubsSource };
        source.AcceptOnlyFromAmong(DemoOptions.RoutingSource, DemoOptions.EventHubsSource);
        var directory = new Option<string>("--dir") { Description = "Working folder for the hub, gateways and lake (default ./demo-data; replaced on each run)", DefaultValueFactory = _ => "demo-data" };

        var command = new Command("demo", "Run the whole pipeline locally: simulator → StoreGateway → hub emulator → processor → lake");
        command.Options.Add(stores);
        command.Options.Add(profile);
        command.Options.Add(duration);
        command.Options.Add(start);
        command.Options.Add(seed);
        command.Options.Add(faults);
        command.Options.Add(source);
        command.Options.Add(directory);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            SimulateArguments.TryParseDuration(parseResult.GetValue(duration)!, out var durationValue, out _);
            SimulateArguments.TryParseStart(parseResult.GetValue(start)!, out var startValue, out var storeLocal, out _);
            var options = new DemoOptions
            {
                Stores = parseResult.GetValue(stores),
                Profile = parseResult.GetValue(profile)!,
                Duration = durationValue,
                Start = startValue,
                StartIsStoreLocal = storeLocal,
                Seed = parseResult.GetValue(seed),
                Faults = parseResult.GetValue(faults)!,
                Directory = Path.GetFullPath(parseResult.GetValue(directory)!),
                Source = parseResult.GetValue(source)!,
                // a live view only where someone watches: not in CI logs or pipes
                Live = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive,
            };
            return await new DemoRunner(options, Console.Out).RunAsync(cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
