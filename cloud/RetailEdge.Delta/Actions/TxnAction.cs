namespace RetailEdge.Delta.Actions;

/// <summary>The `txn` action: the last batch version an application committed (idempotent writes).</summary>
public sealed record TxnAction(string AppId, long Version, long? LastUpdated = null) : DeltaAction;
