using System.Globalization;
using DuckDB.NET.Data;
using RetailEdge.Delta.Storage;
using RetailEdge.Lakehouse;

namespace RetailEdge.Cli.Report;

/// <summary>
/// Reads the charts of report.html from the lake: each chart is one query over one gold (or silver) table,
/// summed only along the axes it draws, so that its points add up to that table's totals.
/// </summary>
public sealed class GoldReportReader(DuckDBConnection views)
{
    /// <summary>Reads the charts and writes them, with the figures, as one self-contained HTML file.</summary>
    public static Task WriteReportAsync(DuckDBConnection views, string path, string title, IReadOnlyList<ReportFigure> figures, CancellationToken cancellationToken)
    {
        var charts = new GoldReportReader(views).ReadCharts();
        return File.WriteAllTextAsync(path, ReportPage.Render(new ReportModel(title, DateTimeOffset.UtcNow, figures, charts)), cancellationToken);
    }

    /// <summary>The charts, each from one query over <see cref="LakeViews"/>.</summary>
    public IReadOnlyList<ReportChart> ReadCharts()
    {
        return
        [
            Pivot(views, "sales-per-minute", "Sales per minute, per store", "gold.sales_per_minute: revenue summed over items", "revenue", ChartKind.Lines,
                $"SELECT strftime(window_start, '%Y-%m-%d %H:%M'), 'store ' || store_id, CAST(sum(revenue) AS DOUBLE) FROM {LakeTables.SalesPerMinute.ViewName} GROUP BY 1, 2 ORDER BY 1, 2"),
            Columns(views, "revenue-margin", "Revenue and gross margin by store and day", "gold.margin_by_store_day", "revenue", ["revenue", "gross margin"],
                $"SELECT 'store ' || store_id || ' · ' || strftime(date, '%Y-%m-%d'), CAST(revenue AS DOUBLE), CAST(gross_margin AS DOUBLE) FROM {LakeTables.MarginByStoreDay.ViewName} ORDER BY store_id, date"),
            Columns(views, "inventory-safety-stock", "Current inventory against safety stock, per store", "gold.current_inventory", "items", ["items tracked", "below safety stock"],
                $"SELECT 'store ' || store_id, CAST(count(*) AS DOUBLE), CAST(count(*) FILTER (WHERE below_safety_stock) AS DOUBLE) FROM {LakeTables.CurrentInventory.ViewName} GROUP BY store_id ORDER BY store_id",
                "An item is below safety stock when its current quantity (the latest count plus every change after it) is under reference.item's safety stock. A negative quantity means more was sold than the last count plus receipts: a missed restock or a stale count."),
            Columns(views, "shrink", "Shrink by store", "gold.shrink: units and cost lost, summed over items and days", "cost", ["cost lost", "units lost"],
                $"SELECT 'store ' || store_id, CAST(sum(cost_lost) AS DOUBLE), CAST(sum(units_lost) AS DOUBLE) FROM {LakeTables.Shrink.ViewName} GROUP BY store_id ORDER BY store_id",
                "Shrink lines are inventory_change events of type shrink, costed at reference.item's unit cost. The gateway aggregates them per item, so the lake has no per-reason split."),
            Columns(views, "top-products", "Top 10 products by revenue", "gold.product_performance", "revenue", ["revenue", "gross margin"],
                $"SELECT coalesce(i.name, 'item ' || p.item_id) || ' (' || p.item_id || ')', CAST(p.revenue AS DOUBLE), CAST(p.gross_margin AS DOUBLE) FROM {LakeTables.ProductPerformance.ViewName} p LEFT JOIN {LakeTables.ReferenceItem.ViewName} i USING (item_id) ORDER BY p.revenue DESC, p.item_id LIMIT 10"),
            Columns(views, "fleet-health", "Fleet health, per store gateway", "gold.store_health (from the module twins and silver.quarantine)", "count",
                ["rejected events", "quarantined", "seq conflicts", "backlog batches", "dropped events"],
                $"SELECT coalesce('store ' || store_id, device_id), CAST(coalesce(rejected, 0) AS DOUBLE), CAST(coalesce(quarantined, 0) AS DOUBLE), CAST(coalesce(seq_conflicts, 0) AS DOUBLE), CAST(coalesce(buffered_batches, 0) AS DOUBLE), CAST(coalesce(dropped, 0) AS DOUBLE) FROM {LakeTables.StoreHealth.ViewName} ORDER BY store_id, device_id"),
            Columns(views, "quarantine-reasons", "Quarantine reasons", "silver.quarantine: rows per reason", "rows", ["rows"],
                $"SELECT reason, CAST(count(*) AS DOUBLE) FROM {LakeTables.Quarantine.ViewName} GROUP BY reason ORDER BY count(*) DESC, reason"),
        ];
    }

    /// <summary>Rows of (category, value per series): one bar per category and series.</summary>
    private static ReportChart Columns(DuckDBConnection connection, string id, string title, string source, string unit, string[] series, string sql, string? note = null)
    {
        var categories = new List<string>();
        var values = series.Select(_ => new List<double?>()).ToArray();
        using var reader = connection.Query(sql);
        while (reader.Read())
        {
            categories.Add(reader.GetString(0));
            for (var s = 0; s < series.Length; s++)
            {
                values[s].Add(reader.IsDBNull(s + 1) ? null : reader.GetDouble(s + 1));
            }
        }
        return new ReportChart(id, title, source, unit, ChartKind.Bars, categories,
            series.Select((name, s) => new ReportSeries(name, values[s])).ToList(), note);
    }

    /// <summary>Rows of (category, series, value), pivoted so that each series has a value (or none) per category.</summary>
    private static ReportChart Pivot(DuckDBConnection connection, string id, string title, string source, string unit, ChartKind kind, string sql)
    {
        var categories = new List<string>();
        var indexOfCategory = new Dictionary<string, int>(StringComparer.Ordinal);
        var cells = new List<(int Category, string Series, double Value)>();
        using (var reader = connection.Query(sql))
        {
            while (reader.Read())
            {
                var category = reader.GetString(0);
                if (!indexOfCategory.TryGetValue(category, out var index))
                {
                    index = categories.Count;
                    indexOfCategory.Add(category, index);
                    categories.Add(category);
                }
                cells.Add((index, reader.GetString(1), reader.GetDouble(2)));
            }
        }
        // "store 2" before "store 10": shorter names first, then by text
        var series = cells.Select(c => c.Series).Distinct(StringComparer.Ordinal).OrderBy(name => name.Length).ThenBy(name => name, StringComparer.Ordinal)
            .Select(name =>
            {
                var values = new double?[categories.Count];
                foreach (var cell in cells.Where(c => c.Series == name))
                {
                    values[cell.Category] = cell.Value;
                }
                return new ReportSeries(name, values);
            })
            .ToList();
        return new ReportChart(id, title, source, unit, kind, categories, series);
    }
}
