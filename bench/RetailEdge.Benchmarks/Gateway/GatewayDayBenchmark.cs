using System.Diagnostics;
using RetailEdge.Contracts.Twin;
using RetailEdge.GatewayDayReplay;
using RetailEdge.Simulator;
using RetailEdge.Testing;

namespace RetailEdge.Benchmarks.Gateway;

/// <summary>
/// One reference store-day through the gateway engine in a fresh process, so that peak RSS and CPU
/// seconds are those of one day (JIT included), not of earlier phases: run it on its own.
/// Args: none (simulator in the same process, this benchmark's own runtime settings), or <c>--write FILE</c>
/// (pre-generate the day, faults included; the reference data in FILE.ref), or <c>--replay FILE [FOLDER]</c>:
/// the shipped form — the module and the small replay host (bench/RetailEdge.GatewayDayReplay) published with
/// the module's Dockerfile arguments (ReadyToRun), the replay run under the published module's
/// runtimeconfig.json with the deployment manifest's environment for the module and nothing else of the
/// runtime's; FOLDER keeps the publish (default: a temporary folder, deleted after the run).
/// </summary>
public sealed class GatewayDayBenchmark : IBenchmark
{
    public string Name => "gateway-day";

    public string Description => "StoreGateway: one reference store-day in a fresh process (CPU-s, peak RSS, billable units); --write FILE, then --replay FILE for the shipped (ReadyToRun) form";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var options = new SimulationOptions { Profile = "reference", Stores = 1, Duration = TimeSpan.FromDays(1), Seed = 7, Faults = FaultSettings.Default };
        if (args.Length == 2 && args[0] == "--write")
        {
            var simulator = new StoreSimulator(options);
            var count = StoreDay.WriteFile(args[1], simulator.StartOf(1), simulator.Generate().Select(e => (e.ArrivalTime, e.Json)),
                Contracts.Reference.ReferenceDataCodec.Serialize(simulator.Catalog.ReferenceSetFor(1)));
            Console.WriteLine($"wrote {count:N0} events to {args[1]}");
            return;
        }
        if (args.Length is 2 or 3 && args[0] == "--replay")
        {
            await ReplayShippedFormAsync(Path.GetFullPath(args[1]), args.Length == 3 ? Path.GetFullPath(args[2]) : null, cancellationToken).ConfigureAwait(false);
            return;
        }
        var before = Environment.CpuUsage.TotalTime;
        var day = await GatewayBenchmark.ReplayDayAsync(options, GatewaySettings.Default, cancellationToken).ConfigureAwait(false);
        var total = (Environment.CpuUsage.TotalTime - before).TotalSeconds;
        Console.WriteLine($"fresh process, reference store-day (simulator and JIT included, this benchmark's runtime settings): {day.Events:N0} events, {day.Wall.TotalSeconds:F1} s wall, "
            + $"{day.Cpu:F2} CPU-s, process peak RSS {day.PeakRssMb:F0} MB, {day.Batches:N0} batches, {day.Units:N0} billable units; total CPU-s {total:F2}");
    }

    /// <summary>
    /// Publishes the module and the replay host as the module's Dockerfile does, then replays the day in a
    /// child process under the published module's runtimeconfig.json and the manifest's runtime environment
    /// (every other DOTNET_ or MALLOC_ variable removed), so the figures are the shipped module's.
    /// </summary>
    private static async Task ReplayShippedFormAsync(string file, string? folder, CancellationToken cancellationToken)
    {
        using var temporary = folder is null ? new TempDirectory("gateway-day-publish") : null;
        var root = folder ?? temporary!.Path;
        var module = Path.Combine(root, "module");
        var replay = Path.Combine(root, "replay");
        Console.WriteLine($"publishing the module and the replay host into {root} with the Dockerfile's arguments: {string.Join(' ', ModulePublish.DockerfileArguments())}");
        await ModulePublish.PublishAsync(Path.Combine("edge", "modules", "StoreGateway", "StoreGateway.csproj"), module).ConfigureAwait(false);
        await ModulePublish.PublishAsync(Path.Combine("bench", "RetailEdge.GatewayDayReplay", "RetailEdge.GatewayDayReplay.csproj"), replay).ConfigureAwait(false);

        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("DOTNET_", StringComparison.Ordinal) || k.StartsWith("COMPlus_", StringComparison.Ordinal)
            || k.StartsWith("MALLOC_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        var environment = ModulePublish.DeploymentRuntimeEnvironment();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        var host = Path.Combine(replay, "RetailEdge.GatewayDayReplay.dll");
        foreach (var argument in (string[])["exec", "--runtimeconfig", Path.Combine(module, "StoreGateway.runtimeconfig.json"),
            "--depsfile", Path.ChangeExtension(host, ".deps.json"), host, file, "--maps"])
        {
            start.ArgumentList.Add(argument);
        }
        Console.WriteLine($"replaying in a fresh process under the published StoreGateway.runtimeconfig.json, with the manifest's environment for the module: "
            + (environment.Count == 0 ? "(none besides its options)" : string.Join(' ', environment.Select(e => $"{e.Key}={e.Value}"))));
        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        await child.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"the replay process exited with {child.ExitCode}");
        }
    }
}
