using DuckDB.NET.Data;
using RetailEdge.Delta.Storage;
using RetailEdge.Lakehouse;
using Spectre.Console;

namespace RetailEdge.Cli;

/// <summary>Prints a few gold figures after the demo, read back from the lake's Delta tables (<see cref="Report.LakeViews"/>).</summary>
public sealed class DemoReport(DuckDBConnection views, TextWriter output, bool ansi = false)
{
    public void Write()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = ansi ? AnsiSupport.Yes : AnsiSupport.No });
        Show(console, "gold.sales_by_day",
            $"SELECT CAST(date AS VARCHAR), CAST(store_id AS VARCHAR), channel, CAST(transactions AS VARCHAR), CAST(units AS VARCHAR), CAST(revenue AS VARCHAR), CAST(avg_ticket AS VARCHAR) FROM {LakeTables.SalesByDay.ViewName} ORDER BY store_id, date, channel",
            ["date", "store", "channel", "transactions", "units", "revenue", "avg ticket"]);
        Show(console, "gold.margin_by_store_day",
            $"SELECT CAST(date AS VARCHAR), CAST(store_id AS VARCHAR), CAST(revenue AS VARCHAR), CAST(cost AS VARCHAR), CAST(gross_margin AS VARCHAR), CAST(round(margin_pct, 2) AS VARCHAR), CAST(shrink_cost AS VARCHAR) FROM {LakeTables.MarginByStoreDay.ViewName} ORDER BY store_id, date",
            ["date", "store", "revenue", "cost", "gross margin", "margin %", "shrink cost"]);
        Show(console, "gold.current_inventory (below safety stock, per store)",
            $"SELECT CAST(store_id AS VARCHAR), CAST(count(*) AS VARCHAR), CAST(sum(CASE WHEN below_safety_stock THEN 1 ELSE 0 END) AS VARCHAR) FROM {LakeTables.CurrentInventory.ViewName} GROUP BY store_id ORDER BY store_id",
            ["store", "items tracked", "below safety stock"]);
        Show(console, "gold.stockout_risk (fewest days of cover)",
            $"SELECT CAST(store_id AS VARCHAR), CAST(item_id AS VARCHAR), CAST(current_quantity AS VARCHAR), CAST(safety_stock_quantity AS VARCHAR), CAST(round(days_of_cover, 1) AS VARCHAR) FROM {LakeTables.StockoutRisk.ViewName} WHERE days_of_cover IS NOT NULL ORDER BY days_of_cover, store_id, item_id LIMIT 5",
            ["store", "item", "on hand", "safety stock", "days of cover"]);
        console.MarkupLine("[grey]days of cover = on hand ÷ average daily units sold. Below zero on hand means more was sold than the last count plus receipts since "
            + "(a restock not yet scanned, or a count that is out of date); such items have no cover left, and the next count corrects them.[/]");
        Show(console, "gold.store_health (from the StoreGateway module twins)",
            $"SELECT CAST(store_id AS VARCHAR), device_id, CASE WHEN coalesce(config_error, reference_data_error) IS NOT NULL THEN 'error' WHEN stale THEN 'stale' ELSE 'ok' END, CAST(buffered_batches AS VARCHAR), CAST(rejected AS VARCHAR), CAST(dropped AS VARCHAR) FROM {LakeTables.StoreHealth.ViewName} ORDER BY store_id, device_id",
            ["store", "device", "health", "backlog", "rejected", "dropped"]);
        Show(console, "silver.quarantine (by reason)",
            $"SELECT reason, CAST(count(*) AS VARCHAR) FROM {LakeTables.Quarantine.ViewName} GROUP BY reason ORDER BY count(*) DESC, reason",
            ["reason", "rows"]);
    }

    private void Show(IAnsiConsole console, string title, string sql, string[] columns)
    {
        var view = new Table().Title(title).Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            view.AddColumn(column);
        }
        using var result = views.Query(sql);
        while (result.Read())
        {
            var cells = new string[columns.Length];
            for (var i = 0; i < cells.Length; i++)
            {
                cells[i] = Markup.Escape(result.IsDBNull(i) ? "" : result.GetString(i));
            }
            view.AddRow(cells);
        }
        if (view.Rows.Count == 0)
        {
            console.MarkupLine($"[grey]{Markup.Escape(title)}: no rows[/]");
            return;
        }
        console.Write(view);
    }
}
