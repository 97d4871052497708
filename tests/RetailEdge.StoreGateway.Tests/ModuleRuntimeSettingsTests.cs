using System.Text.Json;
using System.Text.RegularExpressions;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Tests;

/// <summary>
/// The runtime settings the module ships (what gateway-day --replay measures, BENCHMARKS.md #13): in its
/// runtimeconfig.json a small-footprint GC with a capped gen0 budget, no tiering (the ReadyToRun code is
/// kept), no profile-guided re-JIT and thread-pool workers that sleep without spinning, and never a hard heap limit, which would turn a backlog burst into an
/// out-of-memory kill; in its environment the same variables from both Dockerfiles and the deployment manifest.
/// </summary>
public partial class ModuleRuntimeSettingsTests
{
    [Fact]
    public void RuntimeConfig_WorkstationBackgroundGcCappedGen0WithoutTieringWithoutPoolSpinningAndWithoutHeapLimit()
    {
        var path = Path.ChangeExtension(GatewayProcess.Dll(), ".runtimeconfig.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var properties = document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.True(properties.GetProperty("System.GC.Concurrent").GetBoolean());
        Assert.Equal(2 * 1024 * 1024, properties.GetProperty("System.GC.Gen0MaxBudget").GetInt64());
        Assert.False(properties.GetProperty("System.Runtime.TieredCompilation").GetBoolean());
        Assert.False(properties.GetProperty("System.Runtime.TieredPGO").GetBoolean());
        Assert.Equal(0, properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
        Assert.DoesNotContain(properties.EnumerateObject(), p => p.Name.Contains("HeapHardLimit", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Environment_BothDockerfilesAndManifest_ShipTheSameRuntimeVariablesAndNoHeapLimit()
    {
        var manifest = ModulePublish.DeploymentRuntimeEnvironment();
        Assert.Equal("2", manifest["MALLOC_ARENA_MAX"]);
        foreach (var dockerfile in new[] { "Dockerfile.amd64", "Dockerfile.arm64v8" })
        {
            var text = File.ReadAllText(Path.Combine(ModulePublish.ModuleFolder, dockerfile));
            var variables = EnvLine().Matches(text).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value, StringComparer.Ordinal);
            Assert.Equal(manifest.OrderBy(v => v.Key, StringComparer.Ordinal), variables.OrderBy(v => v.Key, StringComparer.Ordinal));
            // ReadyToRun needs the runtime identifier on the publish line.
            Assert.Matches(@"RUN dotnet publish \S+StoreGateway\.csproj .*-r linux-(x64|arm64) ", text);
        }
        Assert.DoesNotContain(manifest.Keys, k => k.Contains("HeapHardLimit", StringComparison.OrdinalIgnoreCase));
    }

    [GeneratedRegex(@"^ENV (?<name>[A-Za-z_][A-Za-z0-9_]*)=(?<value>\S*)\s*$", RegexOptions.Multiline)]
    private static partial Regex EnvLine();
}
