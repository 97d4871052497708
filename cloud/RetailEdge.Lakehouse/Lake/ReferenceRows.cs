using DuckDB.NET.Data;
using RetailEdge.Contracts.Reference;

namespace RetailEdge.Lakehouse;

/// <summary>The reference records as rows of their lake tables, in <see cref="LakeTables"/>' column order.</summary>
internal static class ReferenceRows
{
    /// <summary>reference.store.</summary>
    public static void AppendStore(IDuckDBAppenderRow cells, StoreReference s) =>
        cells.AppendValue(s.StoreId).AppendValue(s.Name).AppendValue(s.Region).AppendValue(s.Timezone).AppendValue(s.DeviceId);

    /// <summary>reference.item.</summary>
    public static void AppendItem(IDuckDBAppenderRow cells, ItemReference i) =>
        cells.AppendValue(i.ItemId).AppendValue(i.Name).AppendValue(i.Department).AppendValue(i.SupplierId).AppendValue(i.SafetyStockQuantity)
            .AppendValue(i.UnitOfMeasure).AppendValue(i.UnitPrice).AppendValue(i.UnitCost);

    /// <summary>reference.change_type.</summary>
    public static void AppendChangeType(IDuckDBAppenderRow cells, ChangeTypeReference c) =>
        cells.AppendValue(c.ChangeTypeId).AppendValue(c.ChangeType);

    /// <summary>reference.assortment.</summary>
    public static void AppendAssortment(IDuckDBAppenderRow cells, AssortmentEntry a) =>
        cells.AppendValue(a.StoreId).AppendValue(a.ItemId);
}
