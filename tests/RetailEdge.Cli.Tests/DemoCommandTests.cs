using System.Globalization;
using RetailEdge.Contracts.Events;
using RetailEdge.Delta.Storage;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;
using RetailEdge.Simulator;
using RetailEdge.Testing;

namespace RetailEdge.Cli.Tests;

/// <summary>
/// The README's main-job command, end to end through real sockets (gateways → hub emulator →
/// routed files → processor → lake), checked against figures computed directly from the
/// simulator's valid events.
/// </summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("demo-cli");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Demo_ThreeSmallStores_GoldSalesEqualTheSimulatorsValidBaskets()
    {
        var directory = _temp.Combine("demo");
        var output = new StringWriter(CultureInfo.InvariantCulture);

        var exitCode = await new DemoRunner(new DemoOptions { Directory = directory }, output).RunAsync(CancellationToken.None);

        Assert.True(exitCode == 0, output.ToString());
        Assert.Contains("gold.sales_by_day", output.ToString(), StringComparison.Ordinal);

        // independent path: the same simulation, valid baskets only, each id once
        var simulator = new StoreSimulator(new SimulationOptions { Profile = "small", Stores = 3, Seed = 1, Faults = FaultSettings.Default });
        var expected = simulator.Generate()
            .Where(e => e.ShouldBeAccepted && e.Event is BasketEvent)
            .Select(e => (BasketEvent)e.Event!)
            .DistinctBy(b => b.Id)
            .GroupBy(b => (b.StoreId, Date: b.LocalDate, b.Channel))
            .ToDictionary(g => g.Key, g => (Transactions: g.Count(), Revenue: g.Sum(b => b.Amount)));

        using var lake = new LakeContext(new LocalLakeStoreFactory(Path.Combine(directory, "lake")), TimeProvider.System);
        var table = lake.Table(LakeTables.SalesByDay);
        var snapshot = await table.TryLoadAsync(CancellationToken.None);
        Assert.NotNull(snapshot);
        using var connection = lake.Connect();
        await table.CreateViewAsync(connection, "sales", snapshot.Files, CancellationToken.None);
        using var result = connection.Query("SELECT store_id, CAST(date AS VARCHAR), channel, transactions, revenue FROM sales");
        var actual = new Dictionary<(int, DateOnly, string), (int, decimal)>();
        while (result.Read())
        {
            actual[(result.GetInt32(0), DateOnly.Parse(result.GetString(1), CultureInfo.InvariantCulture), result.GetString(2))] =
                (checked((int)result.GetInt64(3)), result.GetDecimal(4));
        }

        Assert.Equal(expected.Count, actual.Count);
        foreach (var (key, value) in expected)
        {
            Assert.Equal((value.Transactions, value.Revenue), actual[key]);
        }

        // the monitor read the three module twins after the outboxes drained: fresh, empty, mapped to stores
        using var healthConnection = lake.Connect();
        var health = await StoreHealthMonitor.ReadTableAsync(lake, healthConnection, CancellationToken.None);
        Assert.NotNull(health);
        Assert.Equal([1, 2, 3], health.Select(r => r.StoreId ?? -1).Order());
        Assert.All(health, r =>
        {
            Assert.False(r.Stale, r.DeviceId);
            Assert.Equal(0, r.BufferedBatches);
            Assert.Null(r.ConfigError);
        });
        Assert.Contains("gold.store_health", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("published reference data to 3 module twin(s)", output.ToString(), StringComparison.Ordinal);

        // with the reference data the publisher sent, the gateways' alerts reach silver.alert: a price_mismatch for
        // exactly the basket lines whose till price the simulator moved off the catalogue price (beyond the 1 % tolerance),
        // and low_stock alerts whose position is below the item's safety stock from reference.item
        var catalogue = simulator.Catalog.Items.ToDictionary(i => i.ItemId);
        var expectedMismatches = simulator.Generate()
            .Where(e => e.ShouldBeAccepted && e.Event is BasketEvent)
            .Select(e => (BasketEvent)e.Event!)
            .DistinctBy(b => b.Id)
            .SelectMany(b => b.Lines.Where(l => simulator.Catalog.ItemIdsOf(b.StoreId).Contains(l.ItemId)
                    && Math.Abs(l.UnitPrice - catalogue[l.ItemId].UnitPrice) / catalogue[l.ItemId].UnitPrice > 0.01m)
                .Select(l => (b.StoreId, b.Id, l.ItemId)))
            .ToHashSet();
        var alerts = lake.Table(LakeTables.Alert);
        var alertSnapshot = await alerts.TryLoadAsync(CancellationToken.None);
        Assert.NotNull(alertSnapshot);
        await alerts.CreateViewAsync(connection, "alerts", alertSnapshot.Files, CancellationToken.None);
        var mismatches = new HashSet<(int, string, long)>();
        var lowStock = 0;
        using (var rows = connection.Query("SELECT store_id, kind, item_id, detail FROM alerts"))
        {
            while (rows.Read())
            {
                using var detail = System.Text.Json.JsonDocument.Parse(rows.GetString(3));
                var itemId = rows.GetInt64(2);
                if (rows.GetString(1) == "price_mismatch")
                {
                    mismatches.Add((rows.GetInt32(0), detail.RootElement.GetProperty("eventId").GetString()!, itemId));
                    Assert.Equal(catalogue[itemId].UnitPrice, decimal.Parse(detail.RootElement.GetProperty("catalogPrice").GetString()!, CultureInfo.InvariantCulture));
                }
                else if (rows.GetString(1) == "low_stock")
                {
                    lowStock++;
                    var safety = decimal.Parse(detail.RootElement.GetProperty("safetyStock").GetString()!, CultureInfo.InvariantCulture);
                    Assert.Equal(catalogue[itemId].SafetyStockQuantity, safety);
                    Assert.True(decimal.Parse(detail.RootElement.GetProperty("position").GetString()!, CultureInfo.InvariantCulture) < safety);
                }
            }
        }
        Assert.NotEmpty(expectedMismatches);
        Assert.Equal(expectedMismatches.OrderBy(m => m.Id).ThenBy(m => m.ItemId), mismatches.OrderBy(m => m.Item2).ThenBy(m => m.Item3));
        Assert.True(lowStock > 0, "no low_stock alert reached silver.alert");
    }

    [Fact]
    public async Task Demo_NonEmptyForeignDirectory_IsRefusedWithUsageError()
    {
        var directory = _temp.Combine("mine");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "keep.txt"), "not the demo's");

        var exitCode = await new DemoRunner(new DemoOptions { Directory = directory }, TextWriter.Null).RunAsync(CancellationToken.None);

        Assert.Equal(CliApp.UsageError, exitCode);
        Assert.True(File.Exists(Path.Combine(directory, "keep.txt")));
    }
}
