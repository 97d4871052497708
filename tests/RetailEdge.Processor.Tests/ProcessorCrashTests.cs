using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Tests;
using RetailEdge.Testing;
using Xunit.Abstractions;

namespace RetailEdge.Processor.Tests;

/// <summary>
/// Acceptance (exactly-once): the processor host, run as a child process with RETAILEDGE_ONCE,
/// is SIGKILLed at random points 20 times and then run to the end; bronze holds each routed
/// record once, silver each batch once, and every silver and gold table equals an uninterrupted run.
/// Part of the fault suite: 20 kills of one store's day here, 100 kills of three stores' day with RETAILEDGE_SOAK=1.
/// </summary>
[Trait("Category", "Fault")]
public sealed class ProcessorCrashTests(ITestOutputHelper output)
{
    private static readonly int Kills = Soak.Scale(20, 100);

    [Fact]
    public async Task RunOnce_KilledAtRandomPointsThenRestarted_LakeEqualsUninterruptedRun()
    {
        using var temp = new TempDirectory("processor-kill");
        var scenario = LakeScenario.Create(temp.Path, stores: Soak.Scale(1, 3), TimeSpan.FromDays(1), "default", seed: 11, replayEvery: 10);
        var watch = Stopwatch.StartNew();
        using (var reference = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake-a")), TimeProvider.System))
        {
            await new LakehousePipeline(reference, new FolderTelemetrySource(scenario.Source), NullLoggerFactory.Instance,
                new LanderOptions { MaxFilesPerCommit = 3 }, new RefinerOptions { MaxBronzeCommits = 2 }).RunUntilIdleAsync(CancellationToken.None);
        }
        var uninterrupted = watch.Elapsed;
        // The routed files arrive a slice before each run (as a hub writes them), so every run has
        // work to be killed in; runs continue until 20 of them were killed mid-way.
        var staged = temp.Combine("staged");
        var pending = new Queue<string>(Directory.EnumerateFiles(scenario.Source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        var random = new Random(20261121);
        var killed = 0;
        // How long to let a run live before the kill: random below an upper bound that shrinks after a
        // run finishes before its kill (a fast, quiet machine) and recovers after a kill (a slow one),
        // so 20 kills happen mid-work however fast this machine is today.
        var initialBound = Math.Max(800, uninterrupted.TotalMilliseconds / 2);
        var bound = initialBound;
        for (var run = 0; killed < Kills && run < Kills * 4; run++)
        {
            // spread what is left over the kills still to come, keeping half back, so no run starts idle
            var slice = Math.Max(1, pending.Count / (2 * (Kills - killed)));
            for (var i = 0; i < slice && pending.Count > 0; i++)
            {
                var file = pending.Dequeue();
                var target = Path.Combine(staged, Path.GetRelativePath(scenario.Source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            await using var process = Start(staged, temp.Combine("lake-b"));
            var delay = TimeSpan.FromMilliseconds(200 + random.NextDouble() * bound);
            var exited = await WaitForExitOrTimeoutAsync(process, delay);
            if (!exited)
            {
                process.Kill();
                killed++;
                bound = Math.Min(initialBound, bound * 1.2);
            }
            else
            {
                bound = Math.Max(100, bound * 0.6);
                Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(5)) == 0, "a run that was not killed failed:\n" + process.Output);
            }
            output.WriteLine($"run {run}: {(exited ? "finished" : "killed")} after {delay.TotalMilliseconds:F0} ms");
        }
        while (pending.Count > 0)
        {
            var file = pending.Dequeue();
            var target = Path.Combine(staged, Path.GetRelativePath(scenario.Source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        await using (var last = Start(staged, temp.Combine("lake-b")))
        {
            Assert.Equal(0, await last.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        }

        Assert.True(killed == Kills, $"only {killed} of {Kills} runs were killed before finishing");
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Path), TimeProvider.System);
        using var connection = lake.Connect();
        var a = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake-a")), TimeProvider.System);
        var b = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake-b")), TimeProvider.System);
        using (a)
        using (b)
        {
            await LakeAssertions.ViewAsync(a, connection, LakeTables.BronzeTelemetry, "a_bronze");
            await LakeAssertions.ViewAsync(b, connection, LakeTables.BronzeTelemetry, "b_bronze");
            Assert.Equal(0, LakeAssertions.Count(connection, "SELECT source_file, source_line FROM b_bronze GROUP BY ALL HAVING count(*) > 1"));
            Assert.Null(LakeAssertions.Difference(connection,
                "(SELECT source_file, source_line, device_id, message_id, body FROM b_bronze)",
                "(SELECT source_file, source_line, device_id, message_id, body FROM a_bronze)"));
            await LakeAssertions.ViewAsync(b, connection, LakeTables.Batch, "b_batch");
            Assert.Equal(scenario.Batches, LakeAssertions.Count(connection, "SELECT DISTINCT device_id, module_id, seq FROM b_batch"));
            Assert.Equal(scenario.Batches, LakeAssertions.Count(connection, "SELECT * FROM b_batch"));
            foreach (var table in LakeTables.SilverTables.Concat(LakeTables.GoldTables))
            {
                Assert.True(await LakeAssertions.ViewAsync(a, connection, table, "a_" + table.Name));
                Assert.True(await LakeAssertions.ViewAsync(b, connection, table, "b_" + table.Name));
                Assert.Null(LakeAssertions.Difference(connection, "b_" + table.Name, "a_" + table.Name));
            }
        }
    }

    private static ManagedProcess Start(string source, string lake) =>
        ProcessorProcess.Start(new Dictionary<string, string>
        {
            ["RETAILEDGE_SOURCE"] = source,
            ["RETAILEDGE_LAKE"] = lake,
            ["RETAILEDGE_ONCE"] = "true",
            ["RETAILEDGE_LANDER_MAX_FILES"] = "3",
            ["RETAILEDGE_REFINER_MAX_COMMITS"] = "2",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Logging__LogLevel__Default"] = "Warning",
        });

    private static async Task<bool> WaitForExitOrTimeoutAsync(ManagedProcess process, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (process.HasExited)
            {
                return true;
            }
            await Task.Delay(20);
        }
        return process.HasExited;
    }
}
