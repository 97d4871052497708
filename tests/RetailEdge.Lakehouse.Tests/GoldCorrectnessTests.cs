using DuckDB.NET.Data;
using RetailEdge.Delta.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Testing;

namespace RetailEdge.Lakehouse.Tests;

/// <summary>
/// Acceptance: every gold table equals, to the cent and unit, the same figures computed directly
/// from the simulator's valid events by a separate query path (DuckDB over the JSONL, TestData/independent),
/// for 3 stores × 7 days of the small profile with default faults, replayed batches included.
/// </summary>
public sealed class GoldCorrectnessTests
{
    [Fact]
    public async Task RunUntilIdle_SimulatedWeekOfThreeStores_EveryGoldTableEqualsIndependentComputation()
    {
        using var temp = new TempDirectory("lake-gold");
        var scenario = LakeScenario.Create(temp.Path, stores: 3, TimeSpan.FromDays(7), "default", seed: 7);
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake")), TimeProvider.System);
        await new ReferenceLoader(lake).LoadAsync(scenario.ReferenceFolder, CancellationToken.None);
        var pipeline = new LakehousePipeline(lake, new FolderTelemetrySource(scenario.Source), NullLoggerFactory.Instance);
        int duplicates = 0, batches = 0, quarantined = 0;
        pipeline.CycleCompleted += c => { duplicates += c.Refine.Duplicates; batches += c.Refine.Batches; quarantined += c.Refine.Quarantined; };

        await pipeline.RunUntilIdleAsync(CancellationToken.None);

        Assert.Equal(scenario.Batches, batches);
        Assert.Equal(scenario.Replays, duplicates);
        Assert.Equal(0, quarantined);
        using var connection = lake.Connect();
        LoadIndependent(connection, scenario, temp.Path);
        AssertGoldEqualsIndependent(lake, connection);
        var before = await SnapshotGoldAsync(lake, connection);

        // replay whole files again under new names (a hub re-delivery): nothing may change
        var replayed = Directory.EnumerateFiles(scenario.Source, "*.json", SearchOption.AllDirectories).Where(f => new FileInfo(f).Length > 0).Take(3).ToList();
        foreach (var file in replayed)
        {
            File.Copy(file, Path.Combine(Path.GetDirectoryName(file)!, "59-replay.json"), overwrite: true);
        }
        duplicates = 0;
        await pipeline.RunUntilIdleAsync(CancellationToken.None);

        Assert.True(duplicates > 0);
        Assert.Equal(scenario.Batches, batches);
        foreach (var (table, rows) in before)
        {
            await LakeAssertions.ViewAsync(lake, connection, table, "after_" + table.Name);
            Assert.Null(LakeAssertions.Difference(connection, "after_" + table.Name, rows));
        }
    }

    internal static void LoadIndependent(DuckDBConnection connection, LakeScenario scenario, string root)
    {
        var setup = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "independent", "_events.sql"))
            .Replace("{events}", scenario.EventsFile, StringComparison.Ordinal)
            .Replace("{stores}", Path.Combine(scenario.ReferenceFolder, "store.csv"), StringComparison.Ordinal)
            .Replace("{items}", Path.Combine(scenario.ReferenceFolder, "item.csv"), StringComparison.Ordinal);
        foreach (var statement in setup.Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (statement.Split('\n').Any(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal) && l.Trim().Length > 0))
            {
                connection.Execute(statement);
            }
        }
        foreach (var table in LakeTables.GoldTables)
        {
            var sql = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "independent", table.Name + ".sql"));
            connection.Execute($"CREATE OR REPLACE TEMP TABLE ref_{table.Name} AS {sql}");
        }
    }

    internal static void AssertGoldEqualsIndependent(LakeContext lake, DuckDBConnection connection)
    {
        var failures = new List<string>();
        foreach (var table in LakeTables.GoldTables)
        {
            Assert.True(LakeAssertions.ViewAsync(lake, connection, table, "gold_" + table.Name).GetAwaiter().GetResult(), table.FullName + " was not written");
            Assert.True(LakeAssertions.Count(connection, "SELECT * FROM ref_" + table.Name) > 0, "no reference rows for " + table.Name);
            if (LakeAssertions.Difference(connection, "gold_" + table.Name, "ref_" + table.Name) is { } difference)
            {
                failures.Add(difference);
            }
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static async Task<List<(LakeTableDefinition, string)>> SnapshotGoldAsync(LakeContext lake, DuckDBConnection connection)
    {
        var copies = new List<(LakeTableDefinition, string)>();
        foreach (var table in LakeTables.GoldTables)
        {
            await LakeAssertions.ViewAsync(lake, connection, table, "v_" + table.Name);
            connection.Execute($"CREATE TEMP TABLE before_{table.Name} AS SELECT * FROM v_{table.Name}");
            copies.Add((table, "before_" + table.Name));
        }
        return copies;
    }
}
