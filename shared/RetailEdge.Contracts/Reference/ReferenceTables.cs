namespace RetailEdge.Contracts.Reference;

/// <summary>
/// The rows of reference.store, reference.item, reference.change_type and reference.assortment as
/// the publisher reads them. A null <see cref="Assortment"/> (the table was never loaded) means every
/// store carries the whole catalogue.
/// </summary>
public sealed record ReferenceTables(
    IReadOnlyList<StoreReference> Stores,
    IReadOnlyList<ItemReference> Items,
    IReadOnlyList<ChangeTypeReference> ChangeTypes,
    IReadOnlyList<AssortmentEntry>? Assortment);
