namespace RetailEdge.Contracts.Reference;

/// <summary>
/// The reference data one store's gateway needs offline: its catalogue prices and safety stock.
/// Sent down through the module twin (inline in chunks, or as a file behind a url+sha256 pointer).
/// </summary>
public sealed record ReferenceDataSet(int StoreId, IReadOnlyList<ReferenceItem> Items);

/// <summary>One item of a store's reference set.</summary>
public sealed record ReferenceItem(long ItemId, decimal UnitPrice, decimal UnitCost, decimal SafetyStockQuantity);
