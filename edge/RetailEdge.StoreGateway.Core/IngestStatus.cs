namespace RetailEdge.StoreGateway.Core;

/// <summary>What happened to one ingested event.</summary>
public enum IngestStatus
{
    /// <summary>Valid and durably journaled.</summary>
    Accepted,

    /// <summary>Its id was already journaled: acknowledged, counted, kept in quarantine, not stored twice.</summary>
    Duplicate,

    /// <summary>Invalid: kept in quarantine with its raw bytes and reason.</summary>
    Rejected,

    /// <summary>Not kept: the disk budget is exhausted and the drop policy is reject_new (counted as dropped).</summary>
    Dropped,
}
