using System.Diagnostics.Tracing;

namespace RetailEdge.GatewayDayReplay;

/// <summary>
/// Which types the day allocates most, from the runtime's allocation sampling (one event per ≈ 100 KB
/// allocated, naming the type of the object that crossed it): where the gen0 collections come from.
/// Only with --allocations (listening costs CPU itself, so the figures of that run are not the day's).
/// </summary>
public sealed class AllocationSampler : EventListener
{
    // GC keyword (0x1) at Verbose level: GCAllocationTick_V4 carries TypeName and AllocationAmount64.
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<string, long> _bytesByType = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public IReadOnlyList<(string Type, long Bytes)> Top(int count)
    {
        lock (_gate)
        {
            return [.. _bytesByType.OrderByDescending(t => t.Value).Take(count).Select(t => (t.Key, t.Value))];
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        ArgumentNullException.ThrowIfNull(eventSource);
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.EventName != "GCAllocationTick_V4" || eventData.Payload is null || eventData.PayloadNames is null)
        {
            return;
        }
        var type = eventData.Payload[eventData.PayloadNames.IndexOf("TypeName")] as string ?? "?";
        var bytes = Convert.ToInt64(eventData.Payload[eventData.PayloadNames.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
        lock (_gate)
        {
            _bytesByType[type] = _bytesByType.GetValueOrDefault(type) + bytes;
        }
    }
}
