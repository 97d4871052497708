using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RetailEdge.Lakehouse;

/// <summary>
/// The processor's work: land new routed files, refine new bronze, refresh gold. Every step
/// commits on its own and is idempotent, so the process may stop (or be killed) between any two
/// steps and the next pass continues exactly where the lake says it is.
/// </summary>
public sealed class LakehousePipeline
{
    private readonly Lander _lander;
    private readonly IStoreHealthMonitor? _monitor;
    private readonly IReferencePublication? _references;
    private readonly Refiner _refiner;
    private readonly Builder _builder;

    public LakehousePipeline(LakeContext lake, ITelemetrySource source, ILoggerFactory? loggerFactory = null, LanderOptions? lander = null, RefinerOptions? refiner = null,
        IStoreHealthMonitor? monitor = null, IReferencePublication? references = null)
    {
        ArgumentNullException.ThrowIfNull(lake);
        ArgumentNullException.ThrowIfNull(source);
        var factory = loggerFactory ?? NullLoggerFactory.Instance;
        _lander = new Lander(lake, source, lander ?? new LanderOptions(), factory.CreateLogger<Lander>());
        _refiner = new Refiner(lake, refiner ?? new RefinerOptions(), factory.CreateLogger<Refiner>());
        _builder = new Builder(lake, factory.CreateLogger<Builder>());
        _monitor = monitor;
        _references = references;
    }

    /// <summary>Observes each finished pass (metrics, logs).</summary>
    public event Action<PipelineCycle>? CycleCompleted;

    /// <summary>Lands everything listed, refines everything landed, refreshes gold once, then publishes changed reference data and refreshes store health.</summary>
    public async Task<PipelineCycle> RunCycleAsync(CancellationToken cancellationToken)
    {
        var land = new LandResult(0, 0, 0, null, false, null);
        LandResult step;
        do
        {
            step = await _lander.RunOnceAsync(cancellationToken).ConfigureAwait(false);
            land = new LandResult(land.Files + step.Files, land.Records + step.Records, land.MalformedLines + step.MalformedLines,
                step.Version ?? land.Version, step.MoreAvailable, step.Lag ?? land.Lag);
        }
        while (step.MoreAvailable);
        var refine = new RefineResult(null, 0, 0, 0, 0, 0, new Dictionary<string, int>(), false);
        RefineResult r;
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        do
        {
            r = await _refiner.RunOnceAsync(cancellationToken).ConfigureAwait(false);
            foreach (var (reason, count) in r.QuarantineByReason)
            {
                reasons[reason] = reasons.GetValueOrDefault(reason) + count;
            }
            refine = new RefineResult(r.BronzeVersion ?? refine.BronzeVersion, refine.Records + r.Records, refine.Batches + r.Batches,
                refine.Duplicates + r.Duplicates, refine.Quarantined + r.Quarantined, refine.SilverRows + r.SilverRows, reasons, r.MoreAvailable);
        }
        while (r.MoreAvailable);
        var build = await _builder.RunOnceAsync(cancellationToken).ConfigureAwait(false);
        if (_references is not null)
        {
            await _references.PublishIfChangedAsync(cancellationToken).ConfigureAwait(false);
        }
        if (_monitor is not null)
        {
            await _monitor.RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        var cycle = new PipelineCycle(land, refine, build);
        CycleCompleted?.Invoke(cycle);
        return cycle;
    }

    /// <summary>`--once`: passes until one finds nothing new.</summary>
    public async Task<int> RunUntilIdleAsync(CancellationToken cancellationToken)
    {
        var passes = 0;
        while (true)
        {
            passes++;
            var cycle = await RunCycleAsync(cancellationToken).ConfigureAwait(false);
            if (cycle.Idle)
            {
                return passes;
            }
        }
    }
}
