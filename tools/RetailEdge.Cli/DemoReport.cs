using RetailEdge.Delta.Storage;
using RetailEdge.Lakehouse;
using Spectre.Console;

namespace RetailEdge.Cli;

/// <summary>Prints a few gold figures after the demo, read back from the lake's Delta tables with DuckDB.</summary>
public sealed class DemoReport(LakeContext lake, TextWriter output, bool ansi = false)
{
    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = ansi ? AnsiSupport.Yes : AnsiSupport.No });
        await ShowAsync(console, "gold.sales_by_day", LakeTables.SalesByDay,
            "SELECT CAST(date AS VARCHAR), CAST(store_id AS VARCHAR), channel, CAST(transactions AS VARCHAR), CAST(units AS VARCHAR), CAST(revenue AS VARCHAR), CAST(avg_ticket AS VARCHAR) FROM t ORDER BY store_id, date, channel",
            ["date", "store", "channel", "transactions", "units", "revenue", "avg ticket"], cancellationToken).ConfigureAwait(false);
        await ShowAsync(console, "gold.margin_by_store_day", LakeTables.MarginByStoreDay,
            "SELECT CAST(date AS VARCHAR), CAST(store_id AS VARCHAR), CAST(revenue AS VARCHAR), CAST(cost AS VARCHAR), CAST(gross_margin AS VARCHAR), CAST(round(margin_pct, 2) AS VARCHAR), CAST(shrink_cost AS VARCHAR) FROM t ORDER BY store_id, date",
            ["date", "store", "revenue", "cost", "gross margin", "margin %", "shrink cost"], cancellationToken).ConfigureAwait(false);
        await ShowAsync(console, "gold.current_inventory (below safety stock, per store)", LakeTables.CurrentInventory,
            "SELECT CAST(store_id AS VARCHAR), CAST(count(*) AS VARCHAR), CAST(sum(CASE WHEN below_safety_stock THEN 1 ELSE 0 END) AS VARCHAR) FROM t GROUP BY store_id ORDER BY store_id",
            ["store", "items tracked", "below safety stock"], cancellationToken).ConfigureAwait(false);
        await ShowAsync(console, "gold.stockout_risk (fewest days of cover)", LakeTables.StockoutRisk,
            "SELECT CAST(store_id AS VARCHAR), CAST(item_id AS VARCHAR), CAST(current_quantity AS VARCHAR), CAST(safety_stock_quantity AS VARCHAR), CAST(round(days_of_cover, 1) AS VARCHAR) FROM t WHERE days_of_cover IS NOT NULL ORDER BY days_of_cover, store_id, item_id LIMIT 5",
            ["store", "item", "on hand", "safety stock", "days of cover"], cancellationToken).ConfigureAwait(false);
        console.MarkupLine("[grey]days of cover = on hand ÷ average daily units sold. Below zero on hand means more was sold than the last count plus receipts since "
            + "(a restock not yet scanned, or a count that is out of date); such items have no cover left, and the next count corrects them.[/]");
        await ShowAsync(console, "gold.store_health (from the StoreGateway module twins)", LakeTables.StoreHealth,
            "SELECT CAST(store_id AS VARCHAR), device_id, CASE WHEN coalesce(config_error, reference_data_error) IS NOT NULL THEN 'error' WHEN stale THEN 'stale' ELSE 'ok' END, CAST(buffered_batches AS VARCHAR), CAST(rejected AS VARCHAR), CAST(dropped AS VARCHAR) FROM t ORDER BY store_id, device_id",
            ["store", "device", "health", "backlog", "rejected", "dropped"], cancellationToken).ConfigureAwait(false);
        await ShowAsync(console, "silver.quarantine (by reason)", LakeTables.Quarantine,
            "SELECT reason, CAST(count(*) AS VARCHAR) FROM t GROUP BY reason ORDER BY count(*) DESC, reason",
            ["reason", "rows"], cancellationToken).ConfigureAwait(false);
    }

    private async Task ShowAsync(IAnsiConsole console, string title, LakeTableDefinition definition, string sql, string[] columns, CancellationToken cancellationToken)
    {
        var table = lake.Table(definition);
        var snapshot = await table.TryLoadAsync(cancellationToken).ConfigureAwait(false);
        var view = new Table().Title(title).Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            view.AddColumn(column);
        }
        if (snapshot is null || snapshot.Files.Count == 0)
        {
            console.MarkupLine($"[grey]{Markup.Escape(title)}: no rows[/]");
            return;
        }
        using var connection = lake.Connect();
        await table.CreateViewAsync(connection, "t", snapshot.Files, cancellationToken).ConfigureAwait(false);
        using var result = connection.Query(sql, cancellationToken);
        while (result.Read())
        {
            var cells = new string[columns.Length];
            for (var i = 0; i < cells.Length; i++)
            {
                cells[i] = Markup.Escape(result.IsDBNull(i) ? "" : result.GetString(i));
            }
            view.AddRow(cells);
        }
        console.Write(view);
    }
}
