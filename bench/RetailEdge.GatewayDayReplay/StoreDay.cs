using System.Diagnostics;
using System.Globalization;
using RetailEdge.Contracts.Twin;
using RetailEdge.StoreGateway.Core;

namespace RetailEdge.GatewayDayReplay;

/// <summary>What one replayed store-day cost and produced.</summary>
public sealed record DayResult(long Events, TimeSpan Wall, double Cpu, double PeakRssMb, int Batches, long Units, long Bytes);

/// <summary>
/// A store-day through a fresh gateway engine on a temporary SQLite journal, the clock following the
/// events' arrival times; and the day file gateway-day --write produces (the start, then per event its
/// arrival in UTC ticks, its length and its exact bytes; the reference data in FILE.ref).
/// </summary>
public static class StoreDay
{
    /// <summary>Replays events (arrival time, raw JSON) into a fresh gateway on a temporary journal.</summary>
    public static async Task<DayResult> ReplayAsync(DateTimeOffset start, byte[] referencePayload, IEnumerable<(DateTimeOffset ArrivalTime, byte[] Json)> events,
        GatewaySettings settings, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "retailedge-gateway-bench-" + Guid.NewGuid().ToString("N"));
        var clock = new ArrivalClock(start);
        ResetPeakRss();
        var cpu0 = Environment.CpuUsage.TotalTime;
        var wall = Stopwatch.StartNew();
        long count = 0;
        try
        {
            using var engine = new GatewayEngine(new GatewayEngineOptions
            {
                StoreId = 1, GatewayId = "store001-gw", DataDirectory = directory, InitialSettings = settings,
                TimeProvider = clock, SealTick = TimeSpan.FromMilliseconds(200),
            });
            using var stop = new CancellationTokenSource();
            var loop = Task.Run(() => engine.RunAsync(stop.Token), cancellationToken);
            await engine.ApplyReferenceDataAsync(referencePayload, Contracts.Reference.ReferenceDataCodec.VersionOf(referencePayload), cancellationToken).ConfigureAwait(false);
            var group = new List<ReadOnlyMemory<byte>>(256);
            var groupStart = DateTimeOffset.MinValue;
            foreach (var e in events)
            {
                if (group.Count > 0 && (group.Count >= 256 || e.ArrivalTime - groupStart > TimeSpan.FromSeconds(10)))
                {
                    await engine.IngestAsync(group, IngestSources.Test, cancellationToken).ConfigureAwait(false);
                    group.Clear();
                }
                if (group.Count == 0)
                {
                    groupStart = e.ArrivalTime;
                }
                clock.MoveTo(e.ArrivalTime);
                group.Add(e.Json);
                count++;
            }
            await engine.IngestAsync(group, IngestSources.Test, cancellationToken).ConfigureAwait(false);
            clock.MoveTo(clock.GetUtcNow() + TimeSpan.FromHours(1));
            await engine.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            await engine.FlushAsync(cancellationToken).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await loop.ConfigureAwait(false);
            wall.Stop();
            var cpu = (Environment.CpuUsage.TotalTime - cpu0).TotalSeconds;
            var rss = PeakRssMb();
            using var journal = new GatewayJournal(directory);
            var outbox = journal.ReadOutbox();
            return new DayResult(count, wall.Elapsed, cpu, rss, outbox.Count, outbox.Sum(b => (long)(b.BillableBytes + 4095) / 4096), outbox.Sum(b => (long)b.BillableBytes));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Replays a day file written by gateway-day --write, events streamed from it.</summary>
    public static async Task<DayResult> ReplayFileAsync(string path, GatewaySettings settings, CancellationToken cancellationToken)
    {
        var reference = await File.ReadAllBytesAsync(path + ".ref", cancellationToken).ConfigureAwait(false);
        using var input = new BinaryReader(File.OpenRead(path));
        var start = new DateTimeOffset(input.ReadInt64(), TimeSpan.Zero);
        return await ReplayAsync(start, reference, Events(input), settings, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a day file: the start, then each event's arrival, length and bytes; the reference data beside it.</summary>
    public static long WriteFile(string path, DateTimeOffset start, IEnumerable<(DateTimeOffset ArrivalTime, byte[] Json)> events, byte[] referencePayload)
    {
        long count = 0;
        using (var output = new BinaryWriter(File.Create(path)))
        {
            output.Write(start.UtcTicks);
            foreach (var (arrival, json) in events)
            {
                output.Write(arrival.UtcTicks);
                output.Write(json.Length);
                output.Write(json);
                count++;
            }
        }
        File.WriteAllBytes(path + ".ref", referencePayload);
        return count;
    }

    /// <summary>The events of a day file, in arrival order.</summary>
    public static IEnumerable<(DateTimeOffset ArrivalTime, byte[] Json)> ReadEvents(string path)
    {
        using var input = new BinaryReader(File.OpenRead(path));
        input.ReadInt64();
        foreach (var e in Events(input))
        {
            yield return e;
        }
    }

    private static IEnumerable<(DateTimeOffset ArrivalTime, byte[] Json)> Events(BinaryReader input)
    {
        while (input.BaseStream.Position < input.BaseStream.Length)
        {
            var arrival = new DateTimeOffset(input.ReadInt64(), TimeSpan.Zero);
            var json = input.ReadBytes(input.ReadInt32());
            yield return (arrival, json);
        }
    }

    /// <summary>Resets the kernel's peak-RSS mark of this process (Linux: write 5 to clear_refs).</summary>
    public static void ResetPeakRss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // not Linux, or not allowed: the peak then covers the whole process lifetime
        }
    }

    /// <summary>The process's peak resident set (VmHWM) in MB.</summary>
    public static double PeakRssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
            }
        }
        return Environment.WorkingSet / (1024.0 * 1024.0);
    }
}

/// <summary>The gateway's clock during a replay: it follows the simulated arrival times.</summary>
public sealed class ArrivalClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void MoveTo(DateTimeOffset value)
    {
        if (value.UtcTicks > Interlocked.Read(ref _ticks))
        {
            Interlocked.Exchange(ref _ticks, value.UtcTicks);
        }
    }
}
