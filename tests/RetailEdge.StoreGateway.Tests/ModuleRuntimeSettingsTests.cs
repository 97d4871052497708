using System.Text.Json;

namespace RetailEdge.StoreGateway.Tests;

/// <summary>
/// The runtime settings the module ships in its runtimeconfig.json (what gateway-day --replay measures,
/// BENCHMARKS.md #13): a small-footprint GC and no profile-guided re-JIT, and never a hard heap limit,
/// which would turn a backlog burst into an out-of-memory kill.
/// </summary>
public class ModuleRuntimeSettingsTests
{
    [Fact]
    public void RuntimeConfig_WorkstationNonConcurrentGcWithoutTieredPgoAndWithoutHeapLimit()
    {
        var path = Path.ChangeExtension(GatewayProcess.Dll(), ".runtimeconfig.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var properties = document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.False(properties.GetProperty("System.GC.Concurrent").GetBoolean());
        Assert.False(properties.GetProperty("System.Runtime.TieredPGO").GetBoolean());
        Assert.DoesNotContain(properties.EnumerateObject(), p => p.Name.Contains("HeapHardLimit", StringComparison.OrdinalIgnoreCase));
    }
}
