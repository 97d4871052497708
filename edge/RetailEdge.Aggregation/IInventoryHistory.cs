using RetailEdge.Contracts.Events;

namespace RetailEdge.Aggregation;

/// <summary>
/// The events an aggregator has already applied, read back from where they are kept (the gateway's
/// journal), so that a late count among an item's folded changes can be applied exactly
/// (ARCHITECTURE.md §5: the running inventory is kept exact by recomputing from the journal).
/// </summary>
public interface IInventoryHistory
{
    /// <summary>
    /// Hands every kept event with ts ≥ <paramref name="since"/> added before the event tagged
    /// <paramref name="beforeTag"/> (tag &lt; it: those the aggregator has already applied) to
    /// <paramref name="visit"/>, in tag order. False when some of them may no longer be kept (retention) or
    /// could not be read: then what was visited is incomplete and no exact sum can be given.
    /// </summary>
    bool TryVisitEventsSince(DateTimeOffset since, long beforeTag, Action<StoreEvent> visit);
}
