using RetailEdge.Contracts.Telemetry;
using RetailEdge.Contracts.Twin;

namespace RetailEdge.Aggregation;

/// <summary>
/// What one <see cref="GatewayAggregator.Close"/> took out of the aggregator: pending alerts, and
/// (when data was due) the closed windows, the changed inventory positions and the rejects, with the
/// journal tags of everything they consumed. The aggregator no longer touches any of it, so
/// <see cref="Encode"/> (building rows, cutting, JSON) may run on another thread while the owner goes
/// on adding events. Jobs must be encoded and stored in the order they were closed.
/// </summary>
public sealed class SealJob
{
    private readonly AggregatorOptions _identity;
    private readonly GatewaySettings _settings;
    private readonly List<TelemetryAlert> _alerts;
    private readonly long[] _alertTags;
    private readonly List<Window> _windows;
    private readonly List<InventoryPositionRow> _inventory;
    private readonly RejectSummary _rejects;
    private readonly long[] _rejectTags;

    internal SealJob(AggregatorOptions identity, GatewaySettings settings, DateTimeOffset createdAt, (List<TelemetryAlert> Alerts, long[] Tags) alerts,
        bool hasData, List<Window> windows, List<InventoryPositionRow> inventory, (RejectSummary Summary, long[] Tags) rejects)
    {
        _identity = identity;
        _settings = settings;
        CreatedAt = createdAt;
        (_alerts, _alertTags) = alerts;
        HasData = hasData;
        _windows = windows;
        _inventory = inventory;
        (_rejects, _rejectTags) = rejects;
        EventCount = windows.Sum(w => w.Tags.Count);
    }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>Whether the job carries data (rows, inventory, rejects) besides alerts.</summary>
    public bool HasData { get; }

    public int AlertCount => _alerts.Count;

    /// <summary>Events whose rows the job carries.</summary>
    public int EventCount { get; }

    /// <summary>
    /// The job's batches with seq <paramref name="firstSeq"/>, <paramref name="firstSeq"/>+1, …: alerts
    /// first (their own batches), then the data rows cut at about the size target. The first alert
    /// batch carries the alert tags, the first data batch the event and reject tags.
    /// </summary>
    public IReadOnlyList<SealedBatch> Encode(long firstSeq)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(firstSeq, 1);
        var output = new List<SealedBatch>();
        var seq = firstSeq;
        if (_alerts.Count > 0)
        {
            var first = true;
            foreach (var part in BatchCutter.CutAlerts(_settings.MaxBatchBytes, _alerts))
            {
                output.Add(Finish(Draft(seq++) with { Alerts = part }, true, [], first ? _alertTags : [], []));
                first = false;
            }
        }
        if (HasData)
        {
            // Sorted here, beside the host's writer: it marks the tags by runs of consecutive values.
            var eventTags = TagRuns.Merge(_windows.Select(w => w.Tags));
            var first = true;
            foreach (var part in BatchCutter.Cut(_settings.MaxBatchBytes, _windows, _inventory))
            {
                var batch = Draft(seq++) with
                {
                    Items = part.Items,
                    Baskets = part.Baskets,
                    Weighings = part.Weighings,
                    Snapshots = part.Snapshots,
                    Inventory = part.Inventory,
                    Raw = part.Raw,
                    Rejects = first ? _rejects : RejectSummary.Empty,
                };
                output.Add(Finish(batch, false, first ? eventTags : TagRuns.Empty, [], first ? _rejectTags : []));
                first = false;
            }
        }
        return output;
    }

    private TelemetryBatch Draft(long seq) => new()
    {
        StoreId = _identity.StoreId,
        Gateway = _identity.Gateway,
        Module = _identity.Module,
        JournalId = _identity.JournalId,
        Seq = seq,
        CreatedAt = CreatedAt,
        WindowSeconds = (int)_settings.Window.TotalSeconds,
    };

    private static SealedBatch Finish(TelemetryBatch batch, bool isAlert, IReadOnlyList<long> eventTags, long[] alertTags, long[] rejectTags)
    {
        var json = TelemetryBatchCodec.EncodeJson(batch);
        if (json.Length > GatewaySettings.HardMaxBatchBytes)
        {
            throw new InvalidOperationException($"batch {batch.Seq} is {json.Length} bytes, over the hard limit; a single row is too large");
        }
        return new SealedBatch(batch, json, isAlert, eventTags, alertTags, rejectTags);
    }
}
