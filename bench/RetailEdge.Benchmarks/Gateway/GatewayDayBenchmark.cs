using System.Diagnostics;
using RetailEdge.Contracts.Twin;
using RetailEdge.Simulator;

namespace RetailEdge.Benchmarks.Gateway;

/// <summary>
/// One reference store-day through the gateway engine in a fresh process, so that peak RSS and CPU
/// seconds are those of one day (JIT included), not of earlier phases: run it on its own.
/// </summary>
public sealed class GatewayDayBenchmark : IBenchmark
{
    public string Name => "gateway-day";

    public string Description => "StoreGateway: one reference store-day in a fresh process (CPU-s, peak RSS, billable units)";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var options = new SimulationOptions { Profile = "reference", Stores = 1, Duration = TimeSpan.FromDays(1), Seed = 7, Faults = FaultSettings.Default };
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        var day = await GatewayBenchmark.ReplayDayAsync(options, GatewaySettings.Default, cancellationToken).ConfigureAwait(false);
        var total = (Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds;
        Console.WriteLine($"fresh process, reference store-day: {day.Events:N0} events, {day.Wall.TotalSeconds:F1} s wall, {day.Cpu:F2} CPU-s (simulator and JIT included), process peak RSS {day.PeakRssMb:F0} MB, {day.Batches:N0} batches, {day.Units:N0} billable units; total CPU-s {total:F2}");
    }
}
