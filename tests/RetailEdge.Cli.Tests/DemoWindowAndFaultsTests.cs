using System.Diagnostics;
using System.Globalization;
using System.Text;
using RetailEdge.Delta.Storage;
using RetailEdge.Lakehouse;
using RetailEdge.Testing;

namespace RetailEdge.Cli.Tests;

/// <summary>
/// What a new user meets first: a window without trading is refused at once, a window with trading makes
/// data, injected faults never change the gold figures, and the counts the demo prints are the lake's.
/// </summary>
public sealed class DemoWindowAndFaultsTests : IDisposable
{
    private readonly TempDirectory _temp = new("demo-window");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Demo_TwoHoursFromMidnight_ExitsAtOnceWithAHint()
    {
        var errors = new StringWriter(CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();

        var exitCode = await new DemoRunner(new DemoOptions { Directory = _temp.Combine("night"), Duration = TimeSpan.FromHours(2) }, TextWriter.Null, errors)
            .RunAsync(CancellationToken.None);

        Assert.Equal(CliApp.UsageError, exitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains("no events in the chosen window", errors.ToString(), StringComparison.Ordinal);
        Assert.Contains("--start 2026-11-02T10:00", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_TwoHoursFromTenInTheMorning_ProducesSales()
    {
        var directory = _temp.Combine("morning");
        var output = new StringWriter(CultureInfo.InvariantCulture);

        var exitCode = await new DemoRunner(new DemoOptions
        {
            Directory = directory,
            Duration = TimeSpan.FromHours(2),
            Start = new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero),
        }, output).RunAsync(CancellationToken.None);

        Assert.True(exitCode == 0, output.ToString());
        var sales = await ReadTableAsync(directory, LakeTables.SalesPerMinute, "SELECT min(strftime(window_start, '%H:%M')), count(*) FROM t");
        var row = sales.Split(',');
        Assert.True(int.Parse(row[1], CultureInfo.InvariantCulture) > 0, sales);
        Assert.True(string.CompareOrdinal(row[0], "09:00") >= 0, $"first sale at {row[0]} UTC; stores start at 10:00 local");
    }

    [Fact]
    public async Task Demo_HeavyFaults_SameGoldAsNoFaults_AndPrintedCountsAreTheLakes()
    {
        var clean = _temp.Combine("none");
        var faulty = _temp.Combine("heavy");
        var heavyOutput = new StringWriter(CultureInfo.InvariantCulture);
        Assert.Equal(0, await new DemoRunner(new DemoOptions { Directory = clean, Faults = "none" }, TextWriter.Null).RunAsync(CancellationToken.None));
        Assert.Equal(0, await new DemoRunner(new DemoOptions { Directory = faulty, Faults = "heavy" }, heavyOutput).RunAsync(CancellationToken.None));

        foreach (var (table, sql) in new[]
        {
            (LakeTables.SalesByDay, "SELECT * FROM t ORDER BY ALL"),
            (LakeTables.ProductPerformance, "SELECT * FROM t ORDER BY ALL"),
            (LakeTables.CurrentInventory, "SELECT * EXCLUDE (as_of) FROM t ORDER BY ALL"),
        })
        {
            var expected = await ReadTableAsync(clean, table, sql);
            Assert.False(string.IsNullOrEmpty(expected), table.Name);
            Assert.Equal(expected, await ReadTableAsync(faulty, table, sql));
        }

        // the heavy run shows its faults, and what it printed is what gold.store_health and silver.quarantine hold
        var rejected = long.Parse(await ReadTableAsync(faulty, LakeTables.StoreHealth, "SELECT sum(rejected) FROM t"), CultureInfo.InvariantCulture);
        var quarantined = long.Parse(await ReadTableAsync(faulty, LakeTables.Quarantine, "SELECT count(*) FROM t"), CultureInfo.InvariantCulture);
        Assert.True(rejected > 0, "the heavy run rejected nothing at the gateways");
        Assert.Contains($"{rejected:N0} events rejected at the gateways, {quarantined:N0} rows quarantined in the cloud", heavyOutput.ToString(), StringComparison.Ordinal);
        var report = await File.ReadAllTextAsync(Path.Combine(faulty, "report.html"));
        Assert.Contains($"<td>rejected at the gateways (gold.store_health)</td><td>{rejected:N0}</td>", report, StringComparison.Ordinal);
    }

    /// <summary>The rows of <paramref name="sql"/> over the table (as view t), one CSV line each.</summary>
    private static async Task<string> ReadTableAsync(string directory, LakeTableDefinition definition, string sql)
    {
        using var lake = new LakeContext(new LocalLakeStoreFactory(Path.Combine(directory, "lake")), TimeProvider.System);
        var table = lake.Table(definition);
        var snapshot = await table.TryLoadAsync(CancellationToken.None);
        using var connection = lake.Connect();
        await table.CreateViewAsync(connection, "t", snapshot?.Files ?? [], CancellationToken.None);
        using var reader = connection.Query(sql);
        var text = new StringBuilder();
        while (reader.Read())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                text.Append(i == 0 ? "" : ",").Append(reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture));
            }
            text.Append('\n');
        }
        return text.ToString().TrimEnd('\n');
    }
}
