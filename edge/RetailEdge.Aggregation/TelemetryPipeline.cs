using RetailEdge.Contracts.Validation;

namespace RetailEdge.Aggregation;

/// <summary>
/// The simplest way to turn a stream of store events into the telemetry a gateway would send, in
/// memory: events in arrival order with their receive times + settings → sealed batches. It does
/// what the gateway does between ingest and outbox (duplicate ids are skipped, rejects counted,
/// windows closed and batches sealed as the receive clock advances, everything flushed at the end),
/// without a journal. Used by tests and by the cloud side to produce realistic batches.
/// </summary>
public static class TelemetryPipeline
{
    /// <summary>How often (in receive time) the pipeline checks what to seal, like the gateway's seal loop.</summary>
    public static readonly TimeSpan SealTick = TimeSpan.FromSeconds(1);

    public static PipelineResult Run(IEnumerable<TimedEvent> events, AggregatorOptions options, ReferenceCatalog? reference = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        var aggregator = new GatewayAggregator(options, 1, reference);
        var batches = new List<Contracts.Telemetry.TelemetryBatch>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long accepted = 0, duplicates = 0;
        DateTimeOffset? lastSeal = null;
        DateTimeOffset last = default;
        foreach (var (storeEvent, receivedAt) in events)
        {
            if (!seen.Add(storeEvent.Id))
            {
                duplicates++;
                continue;
            }
            aggregator.Add(storeEvent, receivedAt, accepted);
            accepted++;
            last = receivedAt;
            lastSeal ??= receivedAt;
            if (receivedAt - lastSeal.Value >= SealTick)
            {
                batches.AddRange(aggregator.Seal(receivedAt).Select(b => b.Batch));
                lastSeal = receivedAt;
            }
        }
        batches.AddRange(aggregator.Seal(last, force: true).Select(b => b.Batch));
        return new PipelineResult(batches, accepted, duplicates, 0);
    }

    /// <summary>
    /// Same, from raw event bytes as sent (JSON), validated with <paramref name="validator"/>; rejected
    /// events are counted in the batches' rejects sections.
    /// </summary>
    public static PipelineResult RunRaw(IEnumerable<(ReadOnlyMemory<byte> Json, DateTimeOffset ReceivedAt)> events, AggregatorOptions options, EventValidator validator, ReferenceCatalog? reference = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(validator);
        var aggregator = new GatewayAggregator(options, 1, reference);
        var batches = new List<Contracts.Telemetry.TelemetryBatch>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long accepted = 0, duplicates = 0, rejected = 0;
        DateTimeOffset? lastSeal = null;
        DateTimeOffset last = default;
        foreach (var (json, receivedAt) in events)
        {
            last = receivedAt;
            lastSeal ??= receivedAt;
            var result = validator.Validate(json.Span, receivedAt);
            if (!result.IsValid)
            {
                rejected++;
                aggregator.AddReject(result.Reason!, System.Text.Encoding.UTF8.GetString(json.Span), receivedAt);
            }
            else if (!seen.Add(result.Event!.Id))
            {
                duplicates++;
            }
            else
            {
                aggregator.Add(result.Event, receivedAt, accepted);
                accepted++;
            }
            if (receivedAt - lastSeal.Value >= SealTick)
            {
                batches.AddRange(aggregator.Seal(receivedAt).Select(b => b.Batch));
                lastSeal = receivedAt;
            }
        }
        batches.AddRange(aggregator.Seal(last, force: true).Select(b => b.Batch));
        return new PipelineResult(batches, accepted, duplicates, rejected);
    }
}
