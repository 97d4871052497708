namespace RetailEdge.Contracts.Reference;

/// <summary><c>reference.store</c>: which gateway device serves which store.</summary>
public sealed record StoreReference(int StoreId, string Name, string Region, string Timezone, string DeviceId);

/// <summary><c>reference.item</c>: the catalogue with prices, costs and safety stock.</summary>
public sealed record ItemReference(long ItemId, string Name, string Department, int SupplierId, decimal SafetyStockQuantity, string UnitOfMeasure, decimal UnitPrice, decimal UnitCost);

/// <summary><c>reference.change_type</c>.</summary>
public sealed record ChangeTypeReference(int ChangeTypeId, string ChangeType);

/// <summary><c>reference.assortment</c>: which items a store carries (optional).</summary>
public sealed record AssortmentEntry(int StoreId, long ItemId);
