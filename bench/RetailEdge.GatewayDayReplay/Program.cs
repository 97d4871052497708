using System.Reflection.PortableExecutable;
using RetailEdge.Contracts.Twin;
using RetailEdge.GatewayDayReplay;
using RetailEdge.StoreGateway.Core;

// One reference store-day (a file from gateway-day --write) through the gateway engine in this fresh
// process, then the account BENCHMARKS.md gives of every MB: run by gateway-day --replay, published as
// the module is and under the module's runtimeconfig.json and deployment environment.
if (args.Length is not (1 or 2) || (args.Length == 2 && args[1] is not ("--maps" or "--allocations")))
{
    Console.Error.WriteLine("usage: RetailEdge.GatewayDayReplay DAYFILE [--maps | --allocations]   (DAYFILE written by: gateway-day --write DAYFILE; --maps: the resident set by mapping "
        + "at the end; --allocations: the most allocated types, sampled — that run's CPU figures include the sampling)");
    return 2;
}

// As the module's Program does.
GatewayGcMode.Apply();
Console.WriteLine($"runtime: server GC {System.Runtime.GCSettings.IsServerGC}, latency mode {System.Runtime.GCSettings.LatencyMode} (Batch = non-concurrent), "
    + $"TieredCompilation {Setting("System.Runtime.TieredCompilation")}, QuickJitForLoops {Setting("System.Runtime.TieredCompilation.QuickJitForLoops")}, "
    + $"TieredPGO {Setting("System.Runtime.TieredPGO")}, Gen0MaxBudget {Setting("System.GC.Gen0MaxBudget")}, "
    + $"ThreadPool.UnfairSemaphoreSpinLimit {Setting("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit")}");
var variables = Environment.GetEnvironmentVariables().Keys.Cast<string>()
    .Where(k => k.StartsWith("DOTNET_", StringComparison.Ordinal) || k.StartsWith("MALLOC_", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
    .Select(k => $"{k}={Environment.GetEnvironmentVariable(k)}").ToList();
Console.WriteLine($"environment: {(variables.Count == 0 ? "(no DOTNET_ or MALLOC_ variables)" : string.Join(' ', variables))}");

using var allocations = args.Length == 2 && args[1] == "--allocations" ? new AllocationSampler() : null;
// CPU spent before Main: the host and the runtime starting, assemblies loading.
var atMain = Environment.CpuUsage;
var pauses = GC.GetTotalPauseDuration();
var jit = System.Runtime.JitInfo.GetCompilationTime();
var switches = ContextSwitches();
var before = atMain.TotalTime;
var day = await StoreDay.ReplayFileAsync(args[0], GatewaySettings.Default, CancellationToken.None).ConfigureAwait(false);
var atEnd = Environment.CpuUsage;
var total = (atEnd.TotalTime - before).TotalSeconds;
var switchesAfter = ContextSwitches();

var memory = File.ReadLines("/proc/self/status").Where(l => l.StartsWith("Rss", StringComparison.Ordinal) || l.StartsWith("Threads:", StringComparison.Ordinal)).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
var gc = GC.GetGCMemoryInfo();
Console.WriteLine($"  at the end: {string.Join(", ", memory)}; GC heap {gc.HeapSizeBytes / 1048576.0:F1} MB, committed {gc.TotalCommittedBytes / 1048576.0:F1} MB, "
    + $"{GC.GetTotalAllocatedBytes() / 1048576.0:N0} MB allocated, "
    + $"{GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} gen0/1/2 GCs; after the last GC gen0/1/2/LOH/POH "
    + string.Join("/", gc.GenerationInfo.ToArray().Select(g => (g.SizeAfterBytes / 1048576.0).ToString("F1", System.Globalization.CultureInfo.InvariantCulture))) + " MB");
// The rest of the resident set: SQLite's own allocations (page caches, statements) at their peak, and what the JIT compiled.
Console.WriteLine($"  SQLite memory peak {SQLitePCL.raw.sqlite3_memory_highwater(0) / 1048576.0:F1} MB (now {SQLitePCL.raw.sqlite3_memory_used() / 1048576.0:F1} MB); "
    + $"JIT: {System.Runtime.JitInfo.GetCompiledMethodCount():N0} methods, {System.Runtime.JitInfo.GetCompiledILBytes() / 1024.0:N0} KB IL, {System.Runtime.JitInfo.GetCompilationTime().TotalSeconds:F2} s");
Console.WriteLine($"fresh process, reference store-day (gateway only, events streamed from a file; JIT included): {day.Events:N0} events, {day.Wall.TotalSeconds:F1} s wall, "
    + $"{day.Cpu:F2} CPU-s, process peak RSS {day.PeakRssMb:F0} MB, {day.Batches:N0} batches, {day.Units:N0} billable units; total CPU-s {total:F2}");
// Where the CPU-seconds went, as far as the runtime can tell without a profiler (BENCHMARKS.md #13 has the profile).
Console.WriteLine($"  CPU breakdown: {atMain.TotalTime.TotalSeconds:F2} s before Main (host, runtime start); from Main on: user {(atEnd.UserTime - atMain.UserTime).TotalSeconds:F2} s, "
    + $"kernel {(atEnd.PrivilegedTime - atMain.PrivilegedTime).TotalSeconds:F2} s (fsync, file I/O, thread wake-ups); GC pauses {(GC.GetTotalPauseDuration() - pauses).TotalSeconds:F2} s; "
    + $"JIT {(System.Runtime.JitInfo.GetCompilationTime() - jit).TotalSeconds:F2} s; context switches {switchesAfter.Voluntary - switches.Voluntary:N0} voluntary, "
    + $"{switchesAfter.Involuntary - switches.Involuntary:N0} involuntary (threads alive at the end)");
if (args.Length == 2 && args[1] == "--maps")
{
    PrintResidentMappings();
}
foreach (var (type, bytes) in allocations?.Top(15) ?? [])
{
    Console.WriteLine($"  allocated ≈ {bytes / 1048576.0,6:F1} MB  {type}");
}
// Checked after the day: reading the PE headers loads System.Reflection.Metadata, which the module never does.
Console.WriteLine($"  engine assembly ReadyToRun: {IsReadyToRun(typeof(GatewayEngine).Assembly.Location)}");
return 0;

// Voluntary (a thread blocked: a wait, a wake-up hand-off, I/O) and involuntary switches of every thread of this process.
static (long Voluntary, long Involuntary) ContextSwitches()
{
    long voluntary = 0, involuntary = 0;
    foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(task, "status")))
            {
                var value = line.AsSpan(line.IndexOf(':') + 1).Trim();
                if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                {
                    voluntary += long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                {
                    involuntary += long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // the thread ended meanwhile
        }
    }
    return (voluntary, involuntary);
}

static string Setting(string name) => AppContext.GetData(name)?.ToString() ?? "(default)";

// An assembly compiled ahead of time carries a ReadyToRun header beside its IL.
static bool IsReadyToRun(string path)
{
    using var reader = new PEReader(File.OpenRead(path));
    return reader.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
}

// The resident set at the end by what is mapped (file, or the kind of anonymous memory), largest first:
// where each MB goes, for BENCHMARKS.md.
static void PrintResidentMappings()
{
    var resident = new Dictionary<string, long>(StringComparer.Ordinal);
    var name = "";
    foreach (var line in File.ReadLines("/proc/self/smaps"))
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length >= 5 && fields[0].Contains('-', StringComparison.Ordinal) && !fields[0].EndsWith(':'))
        {
            name = fields.Length >= 6 ? string.Join(' ', fields.Skip(5)) : "[anonymous]";
        }
        else if (fields.Length >= 2 && fields[0] == "Rss:")
        {
            resident[name] = resident.GetValueOrDefault(name) + long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
    }
    foreach (var (mapping, kb) in resident.Where(r => r.Value >= 256).OrderByDescending(r => r.Value))
    {
        Console.WriteLine($"  {kb / 1024.0,6:F1} MB  {mapping}");
    }
    Console.WriteLine($"  {resident.Where(r => r.Value < 256).Sum(r => r.Value) / 1024.0,6:F1} MB  {resident.Count(r => r.Value < 256)} smaller mappings");
}
