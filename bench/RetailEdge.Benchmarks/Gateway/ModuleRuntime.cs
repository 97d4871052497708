using System.Diagnostics;

namespace RetailEdge.Benchmarks.Gateway;

/// <summary>
/// Runs a benchmark in a child process under the StoreGateway module's own runtimeconfig.json (GC mode,
/// tiering as the module ships them) and the deployment manifest's runtime environment for the module
/// (no other DOTNET_ or MALLOC_ variables), so that latency, GC and memory figures are the shipped
/// module's rather than those of the benchmark's runtime settings.
/// </summary>
internal static class ModuleRuntime
{
    public static async Task RunHereUnderModuleConfigAsync(IReadOnlyList<string> benchmarkArgs, CancellationToken cancellationToken)
    {
        var output = AppContext.BaseDirectory;
        var configuration = new DirectoryInfo(output.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var runtimeConfig = Testing.RepoPaths.Require(
            Path.Combine(Testing.RepoPaths.Root, "edge", "modules", "StoreGateway", "bin", configuration, "net10.0", "StoreGateway.runtimeconfig.json"), "the built StoreGateway module");
        var self = typeof(ModuleRuntime).Assembly.Location;
        // Runtime variables set for the benchmark would override the module's file; the module gets only the manifest's.
        var environment = Testing.ModulePublish.DeploymentRuntimeEnvironment();
        var start = GatewayDayBenchmark.ShippedEnvironmentStart(environment);
        foreach (var argument in (string[])["exec", "--runtimeconfig", runtimeConfig, "--depsfile", Path.ChangeExtension(self, ".deps.json"), self, .. benchmarkArgs])
        {
            start.ArgumentList.Add(argument);
        }
        Console.WriteLine($"running in a child process under {Path.GetRelativePath(Testing.RepoPaths.Root, runtimeConfig)} with the manifest's environment "
            + $"({string.Join(", ", environment.Select(e => e.Key + "=" + e.Value))}): {string.Join(' ', benchmarkArgs)}");
        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        await child.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"the child process exited with {child.ExitCode}");
        }
    }

    /// <summary>The runtime settings this process runs with (the module's, when started by <see cref="RunHereUnderModuleConfigAsync"/>).</summary>
    public static void PrintSettings() =>
        Console.WriteLine($"runtime: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, {(System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.Batch ? "non-concurrent" : "concurrent (background)")}, "
            + $"latency mode {System.Runtime.GCSettings.LatencyMode}, TieredPGO {AppContext.GetData("System.Runtime.TieredPGO") ?? "(default)"}, "
            + $"ConserveMemory {AppContext.GetData("System.GC.ConserveMemory") ?? "(default)"}, DOTNET_ variables {(Environment.GetEnvironmentVariables().Keys.Cast<string>().Any(k => k.StartsWith("DOTNET_gc", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_GC", StringComparison.Ordinal)) ? "set" : "none")}");
}
