using System.Diagnostics.Metrics;
using RetailEdge.Lakehouse;

namespace RetailEdge.Processor;

/// <summary>
/// The processor's metrics (System.Diagnostics.Metrics, meter "RetailEdge.Processor"; any
/// OpenTelemetry or dotnet-counters listener can export them): files and records landed, batches
/// refined, duplicates, quarantined records by reason, silver rows, gold tables refreshed, cycle
/// duration and landing lag (now − oldest enqueued time of the newest landing).
/// </summary>
public sealed class ProcessorMetrics : IDisposable
{
    public const string MeterName = "RetailEdge.Processor";

    private readonly Meter _meter;
    private readonly Counter<long> _files;
    private readonly Counter<long> _records;
    private readonly Counter<long> _batches;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _quarantined;
    private readonly Counter<long> _silverRows;
    private readonly Counter<long> _goldTables;
    private readonly Histogram<double> _cycleSeconds;
    private double _lagSeconds;

    public ProcessorMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _files = _meter.CreateCounter<long>("retailedge.processor.files_landed", "{file}");
        _records = _meter.CreateCounter<long>("retailedge.processor.records_landed", "{record}");
        _batches = _meter.CreateCounter<long>("retailedge.processor.batches_refined", "{batch}");
        _duplicates = _meter.CreateCounter<long>("retailedge.processor.duplicates", "{batch}");
        _quarantined = _meter.CreateCounter<long>("retailedge.processor.quarantined", "{record}");
        _silverRows = _meter.CreateCounter<long>("retailedge.processor.silver_rows", "{row}");
        _goldTables = _meter.CreateCounter<long>("retailedge.processor.gold_refreshes", "{table}");
        _cycleSeconds = _meter.CreateHistogram<double>("retailedge.processor.cycle_duration", "s");
        _meter.CreateObservableGauge("retailedge.processor.landing_lag", () => Volatile.Read(ref _lagSeconds), "s");
    }

    public void Record(PipelineCycle cycle, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(cycle);
        _files.Add(cycle.Land.Files);
        _records.Add(cycle.Land.Records);
        _batches.Add(cycle.Refine.Batches);
        _duplicates.Add(cycle.Refine.Duplicates);
        foreach (var (reason, count) in cycle.Refine.QuarantineByReason)
        {
            _quarantined.Add(count, new KeyValuePair<string, object?>("reason", reason));
        }
        _silverRows.Add(cycle.Refine.SilverRows);
        _goldTables.Add(cycle.Build?.Tables.Count ?? 0);
        _cycleSeconds.Record(duration.TotalSeconds);
        if (cycle.Land.Lag is { } lag)
        {
            Volatile.Write(ref _lagSeconds, lag.TotalSeconds);
        }
    }

    /// <summary>A bronze commit of the Event Hubs source (its refine and build passes are recorded by <see cref="Record"/>).</summary>
    public void RecordStreamLanding(StreamLandResult landed)
    {
        ArgumentNullException.ThrowIfNull(landed);
        _records.Add(landed.Landed);
        if (landed.Lag is { } lag)
        {
            Volatile.Write(ref _lagSeconds, lag.TotalSeconds);
        }
    }

    public void Dispose() => _meter.Dispose();
}
