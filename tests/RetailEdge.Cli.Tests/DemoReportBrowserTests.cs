using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Cli.Report;
using RetailEdge.Delta.Storage;
using RetailEdge.Lakehouse;
using RetailEdge.Testing;

namespace RetailEdge.Cli.Tests;

/// <summary>
/// The demo's report.html as a reader sees it: opened in a real headless Chromium (Debian's package, driven by
/// playwright-core), screenshotted, with no console error and no request leaving the file; every chart's drawn
/// points add up to totals computed here straight from the gold tables.
/// </summary>
public sealed class DemoReportBrowserTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly TempDirectory _temp = new("demo-report");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Demo_ReportHtml_DrawsEveryChartWithTheGoldTotals_OfflineAndWithoutErrors()
    {
        var directory = _temp.Combine("demo");
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var exitCode = await new DemoRunner(new DemoOptions { Directory = directory, Faults = "heavy" }, output).RunAsync(CancellationToken.None);
        Assert.True(exitCode == 0, output.ToString());
        var report = Path.Combine(directory, "report.html");
        Assert.Contains("report with charts: " + report, output.ToString(), StringComparison.Ordinal);

        // the gateways turn the simulator's faults away before the hub: give the cloud a damaged routed file too,
        // so that silver.quarantine has rows to chart, and draw the report again from the lake
        using var lake = new LakeContext(new LocalLakeStoreFactory(Path.Combine(directory, "lake")), TimeProvider.System);
        var damaged = Path.Combine(directory, "routing", "demohub", "00", "2099", "01", "01", "00", "00");
        Directory.CreateDirectory(Path.GetDirectoryName(damaged)!);
        await File.WriteAllTextAsync(damaged, "{\"EnqueuedTimeUtc\":\"2026-11-02T10:00:00Z\",\"Body\":\n not json at all\n");
        await new LakehousePipeline(lake, new FolderTelemetrySource(Path.Combine(directory, "routing")), NullLoggerFactory.Instance).RunUntilIdleAsync(CancellationToken.None);
        using (var views = await LakeViews.OpenAsync(lake, CancellationToken.None))
        {
            await GoldReportReader.WriteReportAsync(views, report, "demo report", [], CancellationToken.None);
        }

        var screenshot = _temp.Combine("report.png");
        var drawn = await OpenInChromiumAsync(report, screenshot);

        Assert.Empty(drawn.ConsoleErrors);
        Assert.Empty(drawn.ExternalRequests);
        Assert.True(new FileInfo(screenshot).Length > 20_000, "the screenshot is nearly empty");

        var expected = await ExpectedTotalsAsync(lake);
        foreach (var (chart, series) in expected)
        {
            foreach (var (name, total) in series)
            {
                var points = drawn.Totals.GetValueOrDefault(chart)?.GetValueOrDefault(name);
                Assert.True(points is not null, $"chart {chart} has no drawn points for {name}; drawn: {string.Join(", ", drawn.Totals.Keys)}");
                Assert.True(points.Count > 0, $"{chart}/{name} drew no points");
                Assert.True(Math.Abs(points.Sum - total) <= 1e-6 * Math.Max(1, Math.Abs(total)),
                    $"{chart}/{name}: drawn points add up to {points.Sum}, gold says {total}");
            }
        }
        // the charts that must have data in a demo with heavy faults
        foreach (var chart in new[] { "sales-per-minute", "revenue-margin", "inventory-safety-stock", "shrink", "top-products", "fleet-health", "quarantine-reasons" })
        {
            Assert.True(drawn.Totals.ContainsKey(chart), $"chart {chart} drew nothing");
        }
    }

    /// <summary>Per chart and series, the total of the gold table the chart shows, by queries written independently of the report's.</summary>
    private static async Task<Dictionary<string, Dictionary<string, double>>> ExpectedTotalsAsync(LakeContext lake)
    {
        using var connection = lake.Connect();
        foreach (var definition in new[] { LakeTables.SalesPerMinute, LakeTables.MarginByStoreDay, LakeTables.CurrentInventory, LakeTables.Shrink, LakeTables.ProductPerformance, LakeTables.StoreHealth, LakeTables.Quarantine })
        {
            var table = lake.Table(definition);
            var snapshot = await table.TryLoadAsync(CancellationToken.None);
            Assert.NotNull(snapshot);
            await table.CreateViewAsync(connection, definition.Name, snapshot.Files, CancellationToken.None);
        }
        double Scalar(string sql)
        {
            using var reader = connection.Query($"SELECT CAST(({sql}) AS DOUBLE)");
            Assert.True(reader.Read());
            return Convert.ToDouble(reader.GetValue(0), CultureInfo.InvariantCulture);
        }
        return new()
        {
            ["sales-per-minute"] = Enumerable.Range(1, 3).ToDictionary(s => $"store {s}", s => Scalar($"SELECT sum(revenue) FROM sales_per_minute WHERE store_id = {s}")),
            ["revenue-margin"] = new() { ["revenue"] = Scalar("SELECT sum(revenue) FROM margin_by_store_day"), ["gross margin"] = Scalar("SELECT sum(gross_margin) FROM margin_by_store_day") },
            ["inventory-safety-stock"] = new()
            {
                ["items tracked"] = Scalar("SELECT count(*) FROM current_inventory"),
                ["below safety stock"] = Scalar("SELECT count(*) FROM current_inventory WHERE below_safety_stock"),
            },
            ["shrink"] = new() { ["cost lost"] = Scalar("SELECT sum(cost_lost) FROM shrink"), ["units lost"] = Scalar("SELECT sum(units_lost) FROM shrink") },
            ["top-products"] = new() { ["revenue"] = Scalar("SELECT sum(revenue) FROM (SELECT revenue FROM product_performance ORDER BY revenue DESC LIMIT 10)") },
            ["fleet-health"] = new() { ["rejected events"] = Scalar("SELECT sum(rejected) FROM store_health") },
            ["quarantine-reasons"] = new() { ["rows"] = Scalar("SELECT count(*) FROM quarantine") },
        };
    }

    private sealed record DrawnPoints(int Count, double Sum);

    private sealed record DrawnReport(IReadOnlyList<string> ConsoleErrors, IReadOnlyList<string> ExternalRequests, Dictionary<string, Dictionary<string, DrawnPoints>> Totals);

    private static async Task<DrawnReport> OpenInChromiumAsync(string report, string screenshot)
    {
        RepoPaths.Require(Chromium, "chromium (Debian package)");
        const string Script = """
            const { chromium } = require('playwright-core');
            const [report, screenshot, executable] = process.argv.slice(2);
            (async () => {
              const browser = await chromium.launch({ executablePath: executable, headless: true, args: ['--no-sandbox'] });
              const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
              const consoleErrors = [], externalRequests = [];
              page.on('console', m => { if (m.type() === 'error') consoleErrors.push(m.text()); });
              page.on('pageerror', e => consoleErrors.push(String(e)));
              page.on('request', r => { if (!r.url().startsWith('file://')) externalRequests.push(r.url()); });
              await page.goto('file://' + report, { waitUntil: 'load' });
              await page.screenshot({ path: screenshot, fullPage: true });
              const totals = await page.evaluate(() => {
                const result = {};
                for (const section of document.querySelectorAll('section.chart')) {
                  for (const point of section.querySelectorAll('svg .point')) {
                    const box = point.getBBox();
                    if (!(box.width > 0 || box.height > 0)) continue; // drawn means it has an area on the page
                    const series = (result[section.id] ??= {});
                    const entry = (series[point.dataset.series] ??= { count: 0, sum: 0 });
                    entry.count++; entry.sum += Number(point.dataset.value);
                  }
                }
                return result;
              });
              console.log(JSON.stringify({ consoleErrors, externalRequests, totals }));
              await browser.close();
            })().catch(e => { console.error(e); process.exit(1); });
            """;
        var text = await NodeScript.RunAsync(Script, TimeSpan.FromMinutes(2), report, screenshot, Chromium);
        var json = text.Split('\n').Last(l => l.StartsWith('{'));
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var totals = new Dictionary<string, Dictionary<string, DrawnPoints>>(StringComparer.Ordinal);
        foreach (var chart in root.GetProperty("totals").EnumerateObject())
        {
            totals[chart.Name] = chart.Value.EnumerateObject().ToDictionary(s => s.Name,
                s => new DrawnPoints(s.Value.GetProperty("count").GetInt32(), s.Value.GetProperty("sum").GetDouble()), StringComparer.Ordinal);
        }
        return new DrawnReport(
            root.GetProperty("consoleErrors").EnumerateArray().Select(e => e.GetString()!).ToList(),
            root.GetProperty("externalRequests").EnumerateArray().Select(e => e.GetString()!).ToList(),
            totals);
    }
}
