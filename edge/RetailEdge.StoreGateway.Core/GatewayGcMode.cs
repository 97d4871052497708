using System.Runtime;

namespace RetailEdge.StoreGateway.Core;

/// <summary>
/// The garbage collector's latency mode of a gateway process, set by its host at start (the module, and the
/// benchmarks that stand for it). Runtimeconfig cannot set a latency mode, hence code.
/// </summary>
public static class GatewayGcMode
{
    /// <summary>
    /// Sustained low latency: with background GC (the module's runtimeconfig), gen2 is collected in the background
    /// and a blocking full collection happens only under memory pressure. Without it the collector still chose a
    /// blocking, compacting gen2 every few minutes at 5,000 events/s (the windows that died each minute leave the
    /// heap fragmented): 80–130 ms with every acknowledgement waiting (BENCHMARKS.md #13). No effect under a
    /// non-concurrent GC. Returns the mode now in force.
    /// </summary>
    public static GCLatencyMode Apply()
    {
        if (!GCSettings.IsServerGC && GCSettings.LatencyMode == GCLatencyMode.Interactive)
        {
            GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency;
        }
        return GCSettings.LatencyMode;
    }
}
