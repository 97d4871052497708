using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Delta.Storage;
using RetailEdge.Testing;

namespace RetailEdge.Lakehouse.Tests;

/// <summary>
/// The bulk refine against the previous implementation on the same input: the per-batch .NET path
/// (every batch decoded and exploded in .NET, as the refiner did before the bulk path; it remains
/// the path of every batch the bulk scan does not admit) and the bulk path must build the same
/// silver and gold, row for row, on simulated stores with gzip and JSON bodies, replayed batches
/// and several refine runs.
/// </summary>
public sealed class BulkRefineEquivalenceTests
{
    [Fact]
    public async Task RunUntilIdle_BulkAndPerBatchRefine_BuildIdenticalSilverAndGold()
    {
        using var temp = new TempDirectory("lake-bulk-equal");
        var scenario = LakeScenario.Create(temp.Path, stores: 3, TimeSpan.FromDays(2), "default", seed: 11);
        var perBatch = await BuildAsync(temp, scenario, "per-batch", new RefinerOptions { MaxBronzeCommits = 3, BulkDecode = false });
        var bulk = await BuildAsync(temp, scenario, "bulk", new RefinerOptions { MaxBronzeCommits = 3 });
        try
        {
            Assert.Equal(0, perBatch.BulkBatches);
            Assert.Equal(scenario.Batches, perBatch.Batches);
            Assert.Equal(scenario.Batches, bulk.Batches);
            // the JSON bodies and the gzip ones alike: nearly every batch takes the bulk path
            Assert.True(bulk.BulkBatches > scenario.Batches * 9 / 10, $"{bulk.BulkBatches} of {scenario.Batches} batches loaded in bulk");

            using var connection = bulk.Lake.Connect();
            var failures = new List<string>();
            foreach (var table in LakeTables.SilverTables.Concat(LakeTables.GoldTables))
            {
                Assert.True(await LakeAssertions.ViewAsync(perBatch.Lake, connection, table, "expected_" + table.Name), table.FullName);
                Assert.True(await LakeAssertions.ViewAsync(bulk.Lake, connection, table, "actual_" + table.Name), table.FullName);
                if (table != LakeTables.Quarantine)
                {
                    Assert.True(LakeAssertions.Count(connection, "SELECT * FROM expected_" + table.Name) > 0, "no rows in " + table.FullName);
                }
                if (LakeAssertions.Difference(connection, "actual_" + table.Name, "expected_" + table.Name) is { } difference)
                {
                    failures.Add(difference);
                }
            }
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }
        finally
        {
            perBatch.Lake.Dispose();
            bulk.Lake.Dispose();
        }
    }

    private static async Task<(LakeContext Lake, int Batches, int BulkBatches)> BuildAsync(TempDirectory temp, LakeScenario scenario, string name, RefinerOptions options)
    {
        var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine(name)), TimeProvider.System);
        await new ReferenceLoader(lake).LoadAsync(scenario.ReferenceFolder, CancellationToken.None);
        var pipeline = new LakehousePipeline(lake, new FolderTelemetrySource(scenario.Source), NullLoggerFactory.Instance, new LanderOptions { MaxFilesPerCommit = 5 }, options);
        int batches = 0, bulkBatches = 0;
        pipeline.CycleCompleted += c => { batches += c.Refine.Batches; bulkBatches += c.Refine.BulkBatches; };
        await pipeline.RunUntilIdleAsync(CancellationToken.None);
        return (lake, batches, bulkBatches);
    }
}
