using System.Globalization;
using DuckDB.NET.Data;
using RetailEdge.Contracts.Reference;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Delta.Storage;
using RetailEdge.Lakehouse.Silver;

namespace RetailEdge.Lakehouse.Tests;

/// <summary>
/// Each typed row appends its cells in its table's column order: staged into a table with the
/// <see cref="LakeTables"/> columns, every value reads back under its own column name (all values
/// of a row are distinct, so two swapped columns of one type fail).
/// </summary>
public sealed class SilverRowTests
{
    private static readonly SilverLineage Lineage = new("device-1", "module-1", 7, 3);
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = new(2026, 3, 1, 11, 30, 0, TimeSpan.Zero);

    [Fact]
    public void AppendTo_ItemWindow_FillsColumnsByName()
    {
        var row = new SilverItemWindowRow(Lineage, new ItemWindowRow(Start, 4711, "sale", "pos", 5, 1.5m, 12.34m, 0.56m));

        AssertCells(LakeTables.ItemWindow, row, LineageCells().Concat(new Dictionary<string, string?>
        {
            ["window_start"] = "2026-03-01 10:00:00+00", ["item_id"] = "4711", ["change_type"] = "sale", ["channel"] = "pos",
            ["events"] = "5", ["qty"] = "1.500", ["amount"] = "12.34", ["discount"] = "0.56", ["event_date"] = "2026-03-01",
        }));
    }

    [Fact]
    public void AppendTo_Basket_FillsColumnsByName()
    {
        var row = new SilverBasketRow(Lineage, new BasketSummaryRow("basket-9", Start, "lane-2", "pos", "customer-4", 6, 2.25m, 99.10m));

        AssertCells(LakeTables.Basket, row, LineageCells().Concat(new Dictionary<string, string?>
        {
            ["basket_id"] = "basket-9", ["ts"] = "2026-03-01 10:00:00+00", ["lane_id"] = "lane-2", ["channel"] = "pos",
            ["customer_id"] = "customer-4", ["lines"] = "6", ["qty"] = "2.250", ["amount"] = "99.10", ["event_date"] = "2026-03-01",
        }));
    }

    [Fact]
    public void AppendTo_WeighingWindow_FillsColumnsByName()
    {
        var row = new SilverWeighingWindowRow(Lineage, new WeighingWindowRow(Start, "scale-5", 4711, 8, 3.125m, 20.5m, 2));

        AssertCells(LakeTables.WeighingWindow, row, LineageCells().Concat(new Dictionary<string, string?>
        {
            ["window_start"] = "2026-03-01 10:00:00+00", ["scale_id"] = "scale-5", ["item_id"] = "4711", ["count"] = "8",
            ["net_kg"] = "3.125", ["amount"] = "20.50", ["tare_anomalies"] = "2", ["event_date"] = "2026-03-01",
        }));
    }

    [Fact]
    public void AppendTo_InventorySnapshot_FillsColumnsByName()
    {
        var row = new SilverInventorySnapshotRow(Lineage, new SnapshotRow("snapshot-1", Start, 4711, 40m, "employee-8"));

        AssertCells(LakeTables.InventorySnapshot, row, LineageCells().Concat(new Dictionary<string, string?>
        {
            ["snapshot_id"] = "snapshot-1", ["ts"] = "2026-03-01 10:00:00+00", ["item_id"] = "4711", ["qty"] = "40.000",
            ["employee_id"] = "employee-8", ["event_date"] = "2026-03-01",
        }));
    }

    [Fact]
    public void AppendTo_InventoryPosition_FillsColumnsByName()
    {
        var row = new SilverInventoryPositionRow(Lineage, new InventoryPositionRow(4711, Later, 37m, Start, 40m));

        AssertCells(LakeTables.InventoryPosition, row, LineageCells().Concat(new Dictionary<string, string?>
        {
            ["item_id"] = "4711", ["as_of"] = "2026-03-01 11:30:00+00", ["position"] = "37.000",
            ["last_count_at"] = "2026-03-01 10:00:00+00", ["last_count_qty"] = "40.000", ["event_date"] = "2026-03-01",
        }));
    }

    [Fact]
    public void AppendTo_Alert_FillsColumnsByName()
    {
        var row = new SilverAlertRow(Lineage, new TelemetryAlert("stockout", Start, 4711, new Dictionary<string, string>()), "{\"position\":\"0\"}");

        AssertCells(LakeTables.Alert, row, LineageCells().Concat(new Dictionary<string, string?>
        {
            ["kind"] = "stockout", ["ts"] = "2026-03-01 10:00:00+00", ["item_id"] = "4711", ["detail"] = "{\"position\":\"0\"}",
            ["event_date"] = "2026-03-01",
        }));
    }

    [Fact]
    public void AppendTo_Quarantine_FillsColumnsByNameAndKeepsNulls()
    {
        var row = new SilverQuarantineRow(null, "module-1", 12, "message-3", "bad_json", "detail text", [0x01, 0x02],
            Start, "routed/0/file.json", 42, new DateOnly(2026, 3, 2));

        AssertCells(LakeTables.Quarantine, row, new Dictionary<string, string?>
        {
            ["device_id"] = null, ["module_id"] = "module-1", ["seq"] = "12", ["message_id"] = "message-3", ["reason"] = "bad_json",
            ["detail"] = "detail text", ["raw"] = "\\x01\\x02", ["enqueued_time"] = "2026-03-01 10:00:00+00",
            ["source_file"] = "routed/0/file.json", ["source_line"] = "42", ["event_date"] = "2026-03-02",
        });
    }

    [Fact]
    public void AppendTo_Batch_FillsColumnsByName()
    {
        var header = new ScannedBatch(3, "journal-1", 7, Start, 60, [11, 12, 13, 14, 15], 16, 17, null, "hash-abc");
        var row = new SilverBatchRow("device-1", "module-1", header, 4, Later, "message-5", 2, "routed/0/file.json", 99);

        AssertCells(LakeTables.Batch, row, new Dictionary<string, string?>
        {
            ["device_id"] = "device-1", ["module_id"] = "module-1", ["journal_id"] = "journal-1", ["seq"] = "7", ["store_id"] = "4",
            ["created_at"] = "2026-03-01 10:00:00+00", ["enqueued_time"] = "2026-03-01 11:30:00+00", ["message_id"] = "message-5",
            ["window_seconds"] = "60", ["items"] = "11", ["baskets"] = "12", ["weighings"] = "13", ["snapshots"] = "14",
            ["inventory"] = "15", ["alerts"] = "16", ["rejects"] = "17", ["gap_before"] = "2", ["source_file"] = "routed/0/file.json",
            ["source_line"] = "99", ["content_hash"] = "hash-abc", ["event_date"] = "2026-03-01",
        });
    }

    [Fact]
    public void ReferenceRows_FillColumnsByName()
    {
        AssertCells(LakeTables.ReferenceStore, new StoreReference(3, "Main Street", "north", "Europe/Berlin", "device-1"), ReferenceRows.AppendStore,
            new Dictionary<string, string?> { ["store_id"] = "3", ["name"] = "Main Street", ["region"] = "north", ["timezone"] = "Europe/Berlin", ["device_id"] = "device-1" });
        AssertCells(LakeTables.ReferenceItem, new ItemReference(4711, "Apples", "produce", 9, 5m, "kg", 2.49m, 1.10m), ReferenceRows.AppendItem,
            new Dictionary<string, string?>
            {
                ["item_id"] = "4711", ["name"] = "Apples", ["department"] = "produce", ["supplier_id"] = "9", ["safety_stock_quantity"] = "5.000",
                ["unit_of_measure"] = "kg", ["unit_price"] = "2.49", ["unit_cost"] = "1.10",
            });
        AssertCells(LakeTables.ReferenceChangeType, new ChangeTypeReference(2, "return"), ReferenceRows.AppendChangeType,
            new Dictionary<string, string?> { ["change_type_id"] = "2", ["change_type"] = "return" });
        AssertCells(LakeTables.ReferenceAssortment, new AssortmentEntry(3, 4711), ReferenceRows.AppendAssortment,
            new Dictionary<string, string?> { ["store_id"] = "3", ["item_id"] = "4711" });
    }

    private static void AssertCells(LakeTableDefinition definition, ISilverRow row, IEnumerable<KeyValuePair<string, string?>> expected)
    {
        AssertCells(definition, row, static (cells, r) => r.AppendTo(cells), expected);
        Assert.Equal(expected.Single(c => c.Key == "event_date").Value, row.EventDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
    }

    private static void AssertCells<TRow>(LakeTableDefinition definition, TRow row, Action<IDuckDBAppenderRow, TRow> append,
        IEnumerable<KeyValuePair<string, string?>> expected)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        connection.Execute("SET TimeZone = 'UTC'");
        using var staged = StagedRows.Create(connection, definition, [row], append);
        var columns = string.Join(", ", definition.Columns.Select(c => $"CAST(\"{c.Name}\" AS VARCHAR) AS \"{c.Name}\""));
        using var reader = connection.Query($"SELECT {columns} FROM {staged.Table}");
        Assert.True(reader.Read());
        var actual = Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? null : reader.GetString(i));
        Assert.Equal(expected.OrderBy(c => c.Key, StringComparer.Ordinal), actual.OrderBy(c => c.Key, StringComparer.Ordinal));
        Assert.False(reader.Read());
    }

    /// <summary>The lineage columns as they read back.</summary>
    private static Dictionary<string, string?> LineageCells() => new()
    {
        ["device_id"] = Lineage.DeviceId, ["module_id"] = Lineage.ModuleId,
        ["seq"] = Lineage.Seq.ToString(CultureInfo.InvariantCulture), ["store_id"] = Lineage.StoreId.ToString(CultureInfo.InvariantCulture),
    };
}
