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
/// runtime's; FOLDER keeps the publish (default: a temporary folder, deleted after the run). <c>--module FILE
/// [FOLDER]</c>: the whole published module (ASP.NET Core host included) as a process, the day's events posted
/// to its /events in bodies of 200; its peak RSS and CPU-s from /proc (a module already in FOLDER/module is used
/// as it is, so another publish can be measured the same way).
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
        if (args.Length is 2 or 3 && args[0] == "--module")
        {
            await RunPublishedModuleAsync(Path.GetFullPath(args[1]), args.Length == 3 ? Path.GetFullPath(args[2]) : null, cancellationToken).ConfigureAwait(false);
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

        var environment = ModulePublish.DeploymentRuntimeEnvironment();
        var start = ShippedEnvironmentStart(environment);
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

    /// <summary>
    /// The published module as a process (HTTP ingest on 127.0.0.1, no uplink), the day's events posted to it
    /// as a store's tills would in bodies of 200; its peak RSS and CPU-s once every window is sealed.
    /// </summary>
    private static async Task RunPublishedModuleAsync(string file, string? folder, CancellationToken cancellationToken)
    {
        using var temporary = folder is null ? new TempDirectory("gateway-day-module") : null;
        var root = folder ?? temporary!.Path;
        var module = Path.Combine(root, "module");
        if (File.Exists(Path.Combine(module, "StoreGateway.dll")))
        {
            Console.WriteLine($"using the module already published in {module}");
        }
        else
        {
            Console.WriteLine($"publishing the module into {module} with the Dockerfile's arguments: {string.Join(' ', ModulePublish.DockerfileArguments())}");
            await ModulePublish.PublishAsync(Path.Combine("edge", "modules", "StoreGateway", "StoreGateway.csproj"), module).ConfigureAwait(false);
        }
        var environment = ModulePublish.DeploymentRuntimeEnvironment();
        var start = ShippedEnvironmentStart(environment);
        var port = FreePort.Next();
        var key = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var data = Path.Combine(root, "data-" + Guid.NewGuid().ToString("N"));
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["StoreGateway__StoreId"] = "1", ["StoreGateway__GatewayId"] = "store001-gw", ["StoreGateway__DataDirectory"] = data,
            ["StoreGateway__Transport"] = "none", ["StoreGateway__HttpBindAddress"] = "127.0.0.1",
            ["StoreGateway__HttpPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["StoreGateway__IngestKey"] = key,
        })
        {
            start.Environment[name] = value;
        }
        // Started in its folder, as the image's WORKDIR: its appsettings.json (log levels) applies.
        start.WorkingDirectory = module;
        foreach (var argument in (string[])["exec", "--runtimeconfig", Path.Combine(module, "StoreGateway.runtimeconfig.json"), Path.Combine(module, "StoreGateway.dll")])
        {
            start.ArgumentList.Add(argument);
        }
        Console.WriteLine("the module as a process under its published runtimeconfig.json, with the manifest's environment for the module: "
            + (environment.Count == 0 ? "(none besides its options)" : string.Join(' ', environment.Select(e => $"{e.Key}={e.Value}"))));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            await WaitForHealthAsync(http, process, _ => true, cancellationToken).ConfigureAwait(false);
            long events = 0;
            foreach (var chunk in StoreDay.ReadEvents(file).Chunk(200))
            {
                using var body = new ByteArrayContent([.. chunk.SelectMany(e => e.Json.Append((byte)'\n'))]);
                body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
                using var response = await http.PostAsync("events", body, cancellationToken).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
                events += chunk.Length;
            }
            // The events' times are the simulated day's, long past on the wall clock: every window seals at once.
            await WaitForHealthAsync(http, process, h => h.GetProperty("openWindows").GetInt32() == 0, cancellationToken).ConfigureAwait(false);
            var status = File.ReadLines($"/proc/{process.Id}/status").Where(l => l.StartsWith("VmHWM", StringComparison.Ordinal) || l.StartsWith("Rss", StringComparison.Ordinal))
                .Select(l => string.Join(' ', l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)));
            process.Refresh();
            Console.WriteLine($"published module, reference store-day over HTTP ({events:N0} events in bodies of 200, no reference data, no uplink): "
                + $"{string.Join(", ", status)}; CPU-s of the process {process.TotalProcessorTime.TotalSeconds:F2}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    private static async Task WaitForHealthAsync(HttpClient http, Process process, Func<System.Text.Json.JsonElement, bool> condition, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + 120_000;
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the module exited with {process.ExitCode}");
            }
            try
            {
                using var health = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("health", cancellationToken).ConfigureAwait(false));
                if (condition(health.RootElement))
                {
                    return;
                }
            }
            catch (HttpRequestException) when (Environment.TickCount64 < deadline)
            {
                // not listening yet
            }
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException("the module did not reach the expected health in 120 s");
            }
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A dotnet start with this process's environment minus every runtime and malloc variable, plus <paramref name="environment"/>.</summary>
    internal static ProcessStartInfo ShippedEnvironmentStart(IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("DOTNET_", StringComparison.Ordinal) || k.StartsWith("COMPlus_", StringComparison.Ordinal)
            || k.StartsWith("MALLOC_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        return start;
    }
}
