namespace RetailEdge.Lakehouse;

/// <summary>How a gold table is refreshed from new silver data (ARCHITECTURE.md §9 "Incremental").</summary>
public enum GoldStrategy
{
    /// <summary>Recompute the date partitions that new silver rows touch, from silver's files of those dates only.</summary>
    RecomputeDates,

    /// <summary>Additive merge of the whole (small, keyed) table with the new silver rows.</summary>
    MergeAll,

    /// <summary>Newest-wins merge of the touched store partitions with the new silver rows.</summary>
    MergeStores,

    /// <summary>Recompute the touched store partitions from their current inventory and the last 7 days of silver.</summary>
    RecomputeStores,
}
