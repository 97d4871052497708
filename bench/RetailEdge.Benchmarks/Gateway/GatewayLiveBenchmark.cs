using System.Diagnostics;
using System.Globalization;
using System.Text;
using RetailEdge.Contracts.Reference;
using RetailEdge.Contracts.Twin;
using RetailEdge.Contracts.Validation;
using RetailEdge.Simulator;
using RetailEdge.StoreGateway.Core;

namespace RetailEdge.Benchmarks.Gateway;

/// <summary>
/// Acknowledgement latency at a steady rate as a live store produces it: every event carries the wall
/// clock at send time, the gateway runs on the real clock with the DEFAULT settings (60 s window sealed
/// 5 s after its end, sent on seal), so windows close, seal and are sent upstream during the run, and the
/// heap holds only what a running gateway holds. Freshness: for every basket and snapshot row the hub
/// acknowledged during the run, its event time → the acknowledgement of its batch (the sink's clock);
/// the bodies are read back from the journal's outbox after the run, so decoding costs the run nothing. The replayed-day phase (<c>gateway N steady</c>) has to
/// keep every window open instead (its event times span days).
/// Payloads come from a ring of pre-serialized reference-profile events (a stratified sample of two
/// simulated days, so the event mix is the day's); each send copies a template with a fresh unique id and
/// the current time spliced in at byte offsets found once.
/// </summary>
internal static class GatewayLiveBenchmark
{
    private const int RingSize = 2000;

    public static async Task RunAsync(int seconds, int perSecond, string? dataRoot, CancellationToken cancellationToken)
    {
        var simulator = new StoreSimulator(new SimulationOptions { Profile = "reference", Stores = 1, Duration = TimeSpan.FromDays(2), Seed = 8 });
        var reference = ReferenceDataCodec.Serialize(simulator.Catalog.ReferenceSetFor(1));
        var valid = simulator.Generate().Where(e => e.ExpectedReason is null).Select(e => e.Json).ToList();
        var step = Math.Max(1, valid.Count / RingSize);
        var ring = valid.Where((_, i) => i % step == 0).Take(RingSize).Select(Template.Parse).ToArray();
        valid = null;
        Console.WriteLine($"live: ring of {ring.Length:N0} templates (every {step}th valid event of 2 simulated days; mean {ring.Average(t => t.Length):F0} bytes, largest {ring.Max(t => t.Length):N0}), store offset {ring[0].Offset}");
        Verify(ring, reference);

        var root = dataRoot ?? Path.GetTempPath();
        var directory = Path.Combine(root, "retailedge-gateway-live-" + Guid.NewGuid().ToString("N"));
        try
        {
            var warnings = new WarningRecorder<GatewayEngine>();
            using var engine = new GatewayEngine(new GatewayEngineOptions
            {
                StoreId = 1, GatewayId = SimulationCatalog.DeviceIdOf(1), DataDirectory = directory, InitialSettings = GatewaySettings.Default,
            }, warnings);
            var sink = new SinkTransport();
            var uplink = new OutboxUplink(engine, sink);
            using var stop = new CancellationTokenSource();
            var loop = Task.Run(() => engine.RunAsync(stop.Token), cancellationToken);
            var send = Task.Run(() => uplink.RunAsync(stop.Token), cancellationToken);
            await engine.ApplyReferenceDataAsync(reference, ReferenceDataCodec.VersionOf(reference), cancellationToken).ConfigureAwait(false);

            // Warm-up (JIT, SQLite statements, thread pool): one second at the same rate, not measured.
            var warm = await DriveAsync(engine, ring, perSecond, perSecond, 0, cancellationToken).ConfigureAwait(false);
            var batches0 = sink.Count;
            var alerts0 = sink.Alerts;
            var status0 = await engine.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            warnings.Restart();

            var total = perSecond * seconds;
            var gen0 = GC.CollectionCount(0);
            var gen1 = GC.CollectionCount(1);
            var gen2 = GC.CollectionCount(2);
            var pause0 = GC.GetTotalPauseDuration();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            sink.MeasureFreshnessFrom(DateTimeOffset.UtcNow);
            var gcWatcher = new GcPauseWatcher();
            var run = await DriveAsync(engine, ring, perSecond, total, warm.Total, cancellationToken).ConfigureAwait(false);
            var collections = gcWatcher.Stop();
            sink.MeasureFreshnessUntil(DateTimeOffset.UtcNow);
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            var pause = GC.GetTotalPauseDuration() - pause0;
            var (g0, g1, g2) = (GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2);
            var status = await engine.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            var batches = sink.Count - batches0;
            var alertBatches = sink.Alerts - alerts0;
            var gcInfo = GC.GetGCMemoryInfo();
            // After the measurement: how long sealing the still-open windows takes on the writer, the work an
            // acknowledgement queued behind a window close waits for.
            // Memory per buffered event: the live heap with the open windows, then without them (flushed).
            var heapOpen = GC.GetTotalMemory(forceFullCollection: true);
            var buffered = BufferedEvents(run, perSecond, GatewaySettings.Default, DateTimeOffset.UtcNow);
            var flushCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var flushWatch = Stopwatch.StartNew();
            var flushed = await engine.FlushAsync(cancellationToken).ConfigureAwait(false);
            flushWatch.Stop();
            var flushCpu = (Process.GetCurrentProcess().TotalProcessorTime - flushCpu0).TotalSeconds;
            var heapFlushed = GC.GetTotalMemory(forceFullCollection: true);
            // The latest pause of each kind: a blocking gen2 (full) and an ephemeral one, to tell which sets the tail.
            var fullPause = GC.GetGCMemoryInfo(GCKind.FullBlocking).PauseDurations[0].TotalMilliseconds;
            var ephemeralPause = GC.GetGCMemoryInfo(GCKind.Ephemeral).PauseDurations[0].TotalMilliseconds;
            await stop.CancelAsync().ConfigureAwait(false);
            await loop.ConfigureAwait(false);
            await send.ConfigureAwait(false);
            var freshness = sink.Freshness();

            var latencies = run.Latencies;
            var sorted = (double[])latencies.Clone();
            Array.Sort(sorted);
            double P(double[] values, double q) => values.Length == 0 ? 0 : values[Math.Min(values.Length - 1, (int)(q * values.Length))];
            var defaults = GatewaySettings.Default;
            Console.WriteLine($"live {perSecond:N0} events/s for {seconds} s ({run.Wall.TotalSeconds:F1} s), default settings (window {defaults.Window.TotalSeconds:F0} s, seal grace {defaults.SealGrace.TotalSeconds:F0} s, send interval {defaults.SendInterval.TotalSeconds:F0} s = on seal, late flag {defaults.AllowedLateness.TotalSeconds:F0} s), journal in {root}; load average {LoadAverage()}:");
            Console.WriteLine($"  ack latency p50 {P(sorted, 0.50):F2} ms, p99 {P(sorted, 0.99):F2} ms, p99.9 {P(sorted, 0.999):F2} ms, max {sorted[^1]:F2} ms (target p99 ≤ 20 ms); {cpu:F2} CPU-s ({cpu / seconds:F2} cores)");
            Console.WriteLine($"  GC pauses {pause.TotalMilliseconds:F0} ms in {g0}/{g1}/{g2} gen0/1/2 collections (latest blocking gen2 pause {fullPause:F1} ms, latest ephemeral {ephemeralPause:F1} ms); heap after {gcInfo.HeapSizeBytes / 1048576.0:F0} MB, GC mode {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} {System.Runtime.GCSettings.LatencyMode}");
            Console.WriteLine($"  outcomes: accepted {run.Accepted:N0}, duplicate {run.Duplicate:N0}, rejected {run.Rejected:N0}, dropped {run.Dropped:N0}; open windows at end {status.OpenWindows:N0}; batches sent upstream during the run {batches:N0} ({alertBatches:N0} of them alerts; {sink.Bytes / 1024.0:N0} KB in all); journal status accepted {status.Accepted - status0.Accepted:N0}");
            // Where the tail sits: per 10 s of the run, so a seal or a checkpoint shows as one slow slice.
            Console.WriteLine($"  live heap (after a full GC) with the open windows {heapOpen / 1048576.0:F1} MB, after flushing them {heapFlushed / 1048576.0:F1} MB: ≈ {(heapOpen - heapFlushed) / (double)Math.Max(1, buffered):F0} bytes per buffered event ({buffered:N0} events in the open windows)");
            Console.WriteLine($"  after the run: sealing the {status.OpenWindows:N0} open windows (flush) into {flushed:N0} batches took {flushWatch.Elapsed.TotalSeconds:F2} s (encoded beside the writer, stored in steps), {flushCpu:F2} CPU-s");
            var slices = new StringBuilder("  p99 / max per 10 s slice:");
            for (var from = 0; from < latencies.Length; from += perSecond * 10)
            {
                var slice = latencies.AsSpan(from, Math.Min(perSecond * 10, latencies.Length - from)).ToArray();
                Array.Sort(slice);
                slices.Append(CultureInfo.InvariantCulture, $" {P(slice, 0.99):F1}/{slice[^1]:F0}");
            }
            Console.WriteLine(slices.ToString());
            Console.WriteLine("  GC pause ms / collections per 10 s slice:" + string.Concat(run.GcPerSlice.Select(g => string.Create(CultureInfo.InvariantCulture, $" {g.PauseMs:F0}/{g.Collections}"))));
            var byGeneration = collections.GroupBy(c => c.Generation).OrderBy(g => g.Key)
                .Select(g => string.Create(CultureInfo.InvariantCulture, $"gen{g.Key} {g.Count():N0} (max {g.Max(c => c.PauseMs):F1} ms, p99 {P([.. g.Select(c => c.PauseMs).Order()], 0.99):F1} ms, mean promoted {g.Average(c => c.PromotedMb):F1} MB)"));
            Console.WriteLine($"  collections seen by the watcher: {string.Join("; ", byGeneration)}");
            Console.WriteLine("  longest pauses: " + string.Join(", ", collections.OrderByDescending(c => c.PauseMs).Take(8).Select(c =>
                string.Create(CultureInfo.InvariantCulture, $"{c.PauseMs:F0} ms gen{c.Generation}{(c.Compacted ? " compacting" : "")}{(c.Concurrent ? " background" : "")} at {c.AtSeconds:F1} s (promoted {c.PromotedMb:F1} MB, heap {c.HeapMb:F0} MB)"))));
            var target = defaults.Window + TimeSpan.FromSeconds(10);
            Console.WriteLine(freshness.Count == 0
                ? "  freshness: no basket or snapshot rows acknowledged during the run (shorter than a window plus its grace?)"
                : $"  freshness (event time → batch acknowledged by the hub), {freshness.Count:N0} basket/snapshot rows acknowledged during the run: p50 {freshness.P50:F1} s, p95 {freshness.P95:F1} s, max {freshness.Max:F1} s (target p95 ≤ window + 10 s = {target.TotalSeconds:F0} s)");
            var slow = run.SlowAt.Take(12).Select(t => t.ToString("F1", CultureInfo.InvariantCulture));
            Console.WriteLine($"  first acknowledgements over 50 ms issued at s: {string.Join(", ", slow)}{(run.SlowAt.Count > 12 ? $" … ({run.SlowAt.Count:N0} in all)" : "")}");
            Console.WriteLine($"  engine warnings during the run: {warnings.Warnings.Count:N0}");
            foreach (var (at, message) in warnings.Warnings.Take(40))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {at,6:F1} s  {message}"));
            }
            if (run.Duplicate + run.Rejected + run.Dropped > 0)
            {
                throw new InvalidOperationException("the live run produced duplicates, rejects or drops: the spliced payloads are not what a live store sends");
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Events of the run still in open windows at <paramref name="at"/>: those sent since the start of the
    /// oldest window whose end plus the seal grace has not passed (windows follow whole local minutes;
    /// the store's offset is whole hours, so UTC minutes too).
    /// </summary>
    private static long BufferedEvents(RunResult run, int perSecond, GatewaySettings settings, DateTimeOffset at)
    {
        var sealPoint = (at - settings.SealGrace).UtcTicks;
        var oldestOpenStart = sealPoint - sealPoint % settings.Window.Ticks;
        var runEnd = run.Started + run.Wall;
        var seconds = Math.Clamp((runEnd.UtcTicks - oldestOpenStart) / (double)TimeSpan.TicksPerSecond, 0, run.Wall.TotalSeconds);
        return (long)(seconds * perSecond);
    }

    /// <summary>A few spliced payloads must validate (contracts' validator, reference items known) before anything is measured.</summary>
    private static void Verify(Template[] ring, byte[] reference)
    {
        var set = ReferenceDataCodec.Deserialize(reference);
        var validator = new EventValidator(new EventValidationOptions
        {
            ExpectedStoreId = 1, KnownItems = new HashSet<long>(set.Items.Select(i => i.ItemId)),
        });
        var now = DateTimeOffset.UtcNow;
        foreach (var index in new[] { 0, 1, ring.Length / 3, ring.Length / 2, ring.Length - 1 })
        {
            var payload = ring[index].Build(-1 - index, now);
            var result = validator.Validate(payload, now);
            if (result.Event is null)
            {
                throw new InvalidOperationException($"spliced template {index} does not validate: {result.Reason} {result.Detail}: {Encoding.UTF8.GetString(payload)[..200]}");
            }
            if (Math.Abs((result.Event.Ts - now).TotalMilliseconds) > 1 || !result.Event.Id.EndsWith("-L" + (-1 - index).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"spliced template {index}: id {result.Event.Id} ts {result.Event.Ts:O}, expected ts {now:O}");
            }
        }
        Console.WriteLine("live: 5 spliced payloads validate (fresh id, ts = now)");
    }

    private sealed record RunResult(double[] Latencies, DateTimeOffset Started, TimeSpan Wall, long Total, long Accepted, long Duplicate, long Rejected, long Dropped, List<double> SlowAt,
        List<(double PauseMs, int Collections)> GcPerSlice);

    private sealed record FreshnessResult(long Count, double P50, double P95, double Max);

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>Issues <paramref name="count"/> events at <paramref name="perSecond"/> from a dedicated thread, each acknowledged on the pool.</summary>
    private static async Task<RunResult> DriveAsync(GatewayEngine engine, Template[] ring, int perSecond, int count, long firstId, CancellationToken cancellationToken)
    {
        var latencies = new double[count];
        long accepted = 0, duplicate = 0, rejected = 0, dropped = 0, outstanding = count;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slowAt = new List<double>();
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        // GC pauses per 10 s slice of issue time, next to the latency slices: which stalls the collector explains.
        var gcPerSlice = new List<(double PauseMs, int Collections)>();
        var sliceEvents = perSecond * 10;
        var slicePause = GC.GetTotalPauseDuration();
        var sliceCollections = GC.CollectionCount(0);
        var producer = Task.Factory.StartNew(() =>
        {
            var issued = 0;
            while (issued < count)
            {
                var due = Math.Min(count, (int)(clock.Elapsed.TotalSeconds * perSecond));
                var now = DateTimeOffset.UtcNow;
                for (; issued < due; issued++)
                {
                    if (issued > 0 && issued % sliceEvents == 0)
                    {
                        var pause = GC.GetTotalPauseDuration();
                        var collections = GC.CollectionCount(0);
                        gcPerSlice.Add(((pause - slicePause).TotalMilliseconds, collections - sliceCollections));
                        (slicePause, sliceCollections) = (pause, collections);
                    }
                    var index = issued;
                    // Built at send time, as a lane would: a fresh id and the wall clock.
                    var payload = ring[index % ring.Length].Build(firstId + index, now);
                    var started = Stopwatch.GetTimestamp();
                    _ = Task.Run(async () =>
                    {
                        var outcome = await engine.IngestAsync(payload, IngestSources.Test, cancellationToken).ConfigureAwait(false);
                        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        latencies[index] = ms;
                        _ = outcome.Status switch
                        {
                            IngestStatus.Accepted => Interlocked.Increment(ref accepted),
                            IngestStatus.Duplicate => Interlocked.Increment(ref duplicate),
                            IngestStatus.Rejected => Interlocked.Increment(ref rejected),
                            _ => Interlocked.Increment(ref dropped),
                        };
                        if (ms > 50)
                        {
                            lock (slowAt)
                            {
                                slowAt.Add(index / (double)perSecond);
                            }
                        }
                        if (Interlocked.Decrement(ref outstanding) == 0)
                        {
                            done.TrySetResult();
                        }
                    }, cancellationToken);
                }
                Thread.Sleep(1);
            }
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await producer.ConfigureAwait(false);
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        gcPerSlice.Add(((GC.GetTotalPauseDuration() - slicePause).TotalMilliseconds, GC.CollectionCount(0) - sliceCollections));
        clock.Stop();
        slowAt.Sort();
        return new RunResult(latencies, started, clock.Elapsed, count, accepted, duplicate, rejected, dropped, slowAt, gcPerSlice);
    }

    /// <summary>An event's bytes split around its id and ts values, so a new event is three copies and two small writes.</summary>
    private sealed class Template
    {
        private readonly byte[] _bytes;
        private readonly int _idEnd;
        private readonly int _tsStart;
        private readonly int _tsEnd;
        private readonly bool _idFirst;

        private Template(byte[] bytes, int idEnd, int tsStart, int tsEnd, TimeSpan offset)
        {
            _bytes = bytes;
            _idEnd = idEnd;
            _tsStart = tsStart;
            _tsEnd = tsEnd;
            _idFirst = idEnd < tsStart;
            Offset = offset;
        }

        public int Length => _bytes.Length;

        /// <summary>The store's UTC offset as the template writes it; the new ts keeps it (windows follow local minutes).</summary>
        public TimeSpan Offset { get; }

        public static Template Parse(byte[] json)
        {
            var (_, idEnd) = ValueOf(json, "\"id\":\""u8);
            var (tsStart, tsEnd) = ValueOf(json, "\"ts\":\""u8);
            var ts = DateTimeOffset.Parse(Encoding.ASCII.GetString(json, tsStart, tsEnd - tsStart), CultureInfo.InvariantCulture);
            if (tsEnd - tsStart != TsLength)
            {
                throw new FormatException($"template ts is not in the 29-character shape: {Encoding.ASCII.GetString(json, tsStart, tsEnd - tsStart)}");
            }
            return new Template(json, idEnd, tsStart, tsEnd, ts.Offset);
        }

        /// <summary>The template with "-L{n}" appended to its id and <paramref name="now"/> (in the store's offset) as its ts.</summary>
        public byte[] Build(long n, DateTimeOffset now)
        {
            Span<byte> suffix = stackalloc byte[24];
            suffix[0] = (byte)'-';
            suffix[1] = (byte)'L';
            n.TryFormat(suffix[2..], out var written, default, CultureInfo.InvariantCulture);
            var idSuffix = suffix[..(2 + written)];
            var result = new byte[_bytes.Length + idSuffix.Length];
            var source = _bytes.AsSpan();
            var target = result.AsSpan();
            // The id comes before ts in the simulator's events, but either order is handled.
            var first = _idFirst ? _idEnd : _tsStart;
            var second = _idFirst ? _tsStart : _idEnd;
            source[..first].CopyTo(target);
            var at = first;
            at += _idFirst ? Write(idSuffix, target[at..]) : WriteTs(now, target[at..]);
            var skip = _idFirst ? 0 : TsLength;
            source[(first + skip)..second].CopyTo(target[at..]);
            at += second - first - skip;
            at += _idFirst ? WriteTs(now, target[at..]) : Write(idSuffix, target[at..]);
            var rest = _idFirst ? _tsEnd : _idEnd;
            source[rest..].CopyTo(target[at..]);
            return result;
        }

        private const int TsLength = 29; // yyyy-MM-ddTHH:mm:ss.fff+hh:mm

        private static int Write(ReadOnlySpan<byte> value, Span<byte> target)
        {
            value.CopyTo(target);
            return value.Length;
        }

        private int WriteTs(DateTimeOffset now, Span<byte> target)
        {
            now.ToOffset(Offset).TryFormat(target, out var written, "yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
            return written;
        }

        private static (int Start, int End) ValueOf(byte[] json, ReadOnlySpan<byte> key)
        {
            var at = json.AsSpan().IndexOf(key);
            if (at < 0)
            {
                throw new FormatException("template without " + Encoding.ASCII.GetString(key));
            }
            var start = at + key.Length;
            var end = start + json.AsSpan(start).IndexOf((byte)'"');
            return (start, end);
        }
    }

    /// <summary>An upstream that acknowledges at once and keeps only counts: the uplink's own cost is measured, not a network.</summary>
    private sealed class SinkTransport : IHubTransport
    {
        // Rows per 0.1 s of freshness, up to 1,000 s (the last bucket holds anything older).
        private readonly long[] _freshness = new long[10_001];
        private long _freshRows;
        private double _freshMax;
        private long _freshFromTicks = long.MaxValue;
        private long _freshUntilTicks = long.MaxValue;
        private long _count;
        private long _alerts;
        private long _bytes;

        public bool IsConnected => true;

        public long Count => Interlocked.Read(ref _count);

        public long Bytes => Interlocked.Read(ref _bytes);

        public long Alerts => Interlocked.Read(ref _alerts);

        /// <summary>Starts counting freshness: basket and snapshot rows of data batches acknowledged from now on.</summary>
        public void MeasureFreshnessFrom(DateTimeOffset from) => _freshFromTicks = from.UtcTicks;

        public void MeasureFreshnessUntil(DateTimeOffset until) => _freshUntilTicks = until.UtcTicks;

        /// <summary>
        /// Seconds from each row's event time to its batch's acknowledgement, in 0.1 s buckets. Counted as the batches
        /// arrive: the journal deletes sent batches once it passes its disk budget, so they cannot be read back after the run.
        /// </summary>
        public FreshnessResult Freshness()
        {
            lock (_freshness)
            {
                double Percentile(double q)
                {
                    var rank = (long)Math.Ceiling(q * _freshRows);
                    long seen = 0;
                    for (var bucket = 0; bucket < _freshness.Length; bucket++)
                    {
                        seen += _freshness[bucket];
                        if (seen >= rank)
                        {
                            return (bucket + 1) / 10.0;
                        }
                    }
                    return _freshMax;
                }
                return new FreshnessResult(_freshRows, Percentile(0.50), Percentile(0.95), _freshMax);
            }
        }

        private void CountFreshness(HubMessage message, DateTimeOffset acked)
        {
            var ticks = acked.UtcTicks;
            if (message.IsAlert || ticks < Volatile.Read(ref _freshFromTicks) || ticks > Volatile.Read(ref _freshUntilTicks))
            {
                return;
            }
            var decoded = Contracts.Telemetry.TelemetryBatchCodec.Decode(message.Body.ToArray(), message.ContentEncoding);
            if (!decoded.IsValid)
            {
                throw new InvalidOperationException($"batch {message.Seq} does not decode: {decoded.Detail}");
            }
            lock (_freshness)
            {
                foreach (var ts in decoded.Batch!.Baskets.Select(b => b.Ts).Concat(decoded.Batch.Snapshots.Select(r => r.Ts)))
                {
                    var seconds = (acked - ts).TotalSeconds;
                    _freshness[Math.Clamp((int)(seconds * 10), 0, _freshness.Length - 1)]++;
                    _freshRows++;
                    _freshMax = Math.Max(_freshMax, seconds);
                }
            }
        }

        public Task StartAsync(IHubTransportHandler handler, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task SendAsync(HubMessage message, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(message);
            Interlocked.Increment(ref _count);
            if (message.IsAlert)
            {
                Interlocked.Increment(ref _alerts);
            }
            Interlocked.Add(ref _bytes, message.Body.Length);
            CountFreshness(message, DateTimeOffset.UtcNow);
            return Task.CompletedTask;
        }

        public Task ReportAsync(ReadOnlyMemory<byte> patch, CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
