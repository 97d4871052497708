using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using DuckDB.NET.Data;
using RetailEdge.Delta.Storage;
using RetailEdge.Testing;
using Xunit.Abstractions;

namespace RetailEdge.Lakehouse.Tests;

/// <summary>
/// The cloud side of the fault suite: two processors on one source and one lake, a lake on a full
/// disk, and truncated, corrupted and renamed routed files. Each compares the lake with an
/// undisturbed run: nothing landed is lost, nothing doubled in silver or gold, the processor loop
/// recovers by itself (it retries what the processor's worker retries), and every dropped line is
/// in silver.quarantine with a reason. Bounded here; more stores and rounds with RETAILEDGE_SOAK=1.
/// </summary>
[Trait("Category", "Fault")]
public sealed class LakehouseFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(Soak.Enabled ? 60 : 5);

    [Fact]
    public async Task TwoProcessorsOnOneSourceAndLake_LakeEqualsOneProcessorsRun()
    {
        using var temp = new TempDirectory("fault-two");
        var scenario = LakeScenario.Create(temp.Path, stores: Soak.Scale(1, 3), TimeSpan.FromDays(1), "default", seed: 5, replayEvery: 10);
        await ReferenceAsync(scenario.Source, temp.Combine("lake-a"));
        var staged = temp.Combine("staged");
        var files = new Queue<string>(Directory.EnumerateFiles(scenario.Source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        var rounds = Soak.Scale(4, 12);
        using var lakeOne = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake-b")), TimeProvider.System);
        using var lakeTwo = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake-b")), TimeProvider.System);
        var one = Pipeline(lakeOne, staged);
        var two = Pipeline(lakeTwo, staged);
        var failures = 0;
        for (var round = 0; round < rounds; round++)
        {
            // files arrive while both run, as a hub writes them
            var slice = round == rounds - 1 ? files.Count : Math.Max(1, files.Count / (rounds - round));
            for (var i = 0; i < slice && files.Count > 0; i++)
            {
                Stage(scenario.Source, files.Dequeue(), staged);
            }
            var results = await Task.WhenAll(Task.Run(() => RunRecoveringAsync(one)), Task.Run(() => RunRecoveringAsync(two))).WaitAsync(Deadline);
            failures += results.Sum();
        }
        output.WriteLine($"{rounds} rounds, {failures} cycles lost a race and were retried");

        await AssertSameLakeAsync(temp, "lake-a", "lake-b", scenario.Batches);
    }

    [Fact]
    public async Task LakeOnAFullDisk_CyclesFailWithoutDamageAndRecoverWhenSpaceReturns()
    {
        using var temp = new TempDirectory("fault-disk");
        var scenario = LakeScenario.Create(temp.Path, stores: Soak.Scale(1, 3), TimeSpan.FromDays(1), "default", seed: 6, replayEvery: 10);
        await ReferenceAsync(scenario.Source, temp.Combine("lake-a"));
        var mount = temp.Combine("lake-b");
        Directory.CreateDirectory(mount);
        // a real full disk: the lake on its own small tmpfs (the tests run as root, as the fault suite requires),
        // filled by something else up to the last 128 KiB
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount);
        try
        {
            var filler = Path.Combine(mount, "filler.bin");
            await FillAsync(filler, new DriveInfo(mount).AvailableFreeSpace - 128 * 1024);
            using var lake = new LakeContext(new LocalLakeStoreFactory(mount), TimeProvider.System);
            var pipeline = Pipeline(lake, scenario.Source);
            var failures = new List<Exception>();
            for (var attempt = 0; attempt < 3; attempt++)
            {
                try
                {
                    await pipeline.RunUntilIdleAsync(CancellationToken.None).WaitAsync(Deadline);
                }
                catch (Exception e) when (IsRetried(e))
                {
                    failures.Add(e);
                }
            }
            Assert.Equal(3, failures.Count);
            Assert.Contains(failures, e => e.ToString().Contains("No space left on device", StringComparison.Ordinal));

            File.Delete(filler); // space comes back: nobody repairs the lake, the next passes just succeed
            Assert.Equal(0, await RunRecoveringAsync(pipeline).WaitAsync(Deadline));
            await AssertSameLakeAsync(temp, "lake-a", "lake-b", scenario.Batches);
        }
        finally
        {
            await RunAsync("umount", "-l", mount);
        }
    }

    [Fact]
    public async Task TruncatedCorruptedAndRenamedRoutedFiles_DropsQuarantinedNothingDoubled()
    {
        using var temp = new TempDirectory("fault-files");
        var scenario = LakeScenario.Create(temp.Path, stores: Soak.Scale(1, 3), TimeSpan.FromDays(1), "default", seed: 7, replayEvery: 10);
        var names = Directory.EnumerateFiles(scenario.Source, "*", SearchOption.AllDirectories)
            .Where(f => new FileInfo(f).Length > 0).Order(StringComparer.Ordinal).ToList();
        Assert.True(names.Count >= 3, "the scenario needs three non-empty routed files");
        var (truncated, corrupted, renamed) = (names[0], names[1], names[2]);
        // the corrupted file is corrupt for good: the reference run sees the same bytes
        var lines = File.ReadAllBytes(corrupted);
        var second = Array.IndexOf(lines, (byte)'\n') + 1;
        Assert.True(second > 0 && second + 40 < lines.Length, "the corrupted file needs a second line");
        Array.Fill(lines, (byte)0xFF, second + 20, 16);
        File.WriteAllBytes(corrupted, lines);
        var renamedTo = Path.Combine(Path.GetDirectoryName(renamed)!, "59.json");
        Assert.False(File.Exists(renamedTo));
        var finalSource = temp.Combine("final");
        foreach (var file in names.Where(n => n != renamed))
        {
            Stage(scenario.Source, file, finalSource);
        }
        var renamedTarget = Path.Combine(finalSource, Path.GetRelativePath(scenario.Source, renamedTo));
        Directory.CreateDirectory(Path.GetDirectoryName(renamedTarget)!);
        File.Copy(renamed, renamedTarget);
        await ReferenceAsync(finalSource, temp.Combine("lake-a"));

        // what the processor sees: the truncated file first (a writer not done yet), the renamed file under its old name
        var staged = temp.Combine("staged");
        foreach (var file in names)
        {
            Stage(scenario.Source, file, staged);
        }
        var whole = File.ReadAllBytes(truncated);
        var cut = Array.IndexOf(whole, (byte)'\n') + 1 + 30;
        File.WriteAllBytes(Path.Combine(staged, Path.GetRelativePath(scenario.Source, truncated)), whole[..cut]);
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake-b")), TimeProvider.System);
        var pipeline = Pipeline(lake, staged);
        Assert.Equal(0, await RunRecoveringAsync(pipeline).WaitAsync(Deadline));
        // the writer finishes the file; the other file is renamed
        File.WriteAllBytes(Path.Combine(staged, Path.GetRelativePath(scenario.Source, truncated)), whole);
        File.Move(Path.Combine(staged, Path.GetRelativePath(scenario.Source, renamed)), Path.Combine(staged, Path.GetRelativePath(scenario.Source, renamedTo)));
        Assert.Equal(0, await RunRecoveringAsync(pipeline).WaitAsync(Deadline));

        await AssertSameLakeAsync(temp, "lake-a", "lake-b", scenario.Batches, compareQuarantine: false);
        using var connection = lake.Connect();
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.Quarantine, "quarantine");
        var truncatedName = Path.GetRelativePath(scenario.Source, truncated).Replace('\\', '/');
        var corruptedName = Path.GetRelativePath(scenario.Source, corrupted).Replace('\\', '/');
        Assert.Equal(1, LakeAssertions.Count(connection, $"SELECT * FROM quarantine WHERE source_file = '{truncatedName}' AND source_line = 2 AND reason = 'malformed_record'"));
        Assert.Equal(1, LakeAssertions.Count(connection, $"SELECT * FROM quarantine WHERE source_file = '{corruptedName}' AND source_line = 2 AND reason = 'malformed_record' AND raw IS NOT NULL"));
    }

    private static LakehousePipeline Pipeline(LakeContext lake, string source) =>
        new(lake, new FolderTelemetrySource(source), NullLoggerFactory.Instance, new LanderOptions { MaxFilesPerCommit = 3 }, new RefinerOptions { MaxBronzeCommits = 2 });

    private static async Task ReferenceAsync(string source, string lakeRoot)
    {
        using var lake = new LakeContext(new LocalLakeStoreFactory(lakeRoot), TimeProvider.System);
        await Pipeline(lake, source).RunUntilIdleAsync(CancellationToken.None);
    }

    /// <summary>What the processor's worker does: a failed cycle is retried on the next pass. Returns the failures survived.</summary>
    private static async Task<int> RunRecoveringAsync(LakehousePipeline pipeline)
    {
        for (var failures = 0; ; failures++)
        {
            try
            {
                await pipeline.RunUntilIdleAsync(CancellationToken.None);
                return failures;
            }
            catch (Exception e) when (IsRetried(e) && failures < 50)
            {
                await Task.Delay(Random.Shared.Next(10, 100));
            }
        }
    }

    private static bool IsRetried(Exception e) =>
        e is IOException or DuckDBException or Delta.DeltaException or InvalidOperationException or UnauthorizedAccessException;

    private static void Stage(string source, string file, string staged)
    {
        var target = Path.Combine(staged, Path.GetRelativePath(source, file));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(file, target);
    }

    private static async Task AssertSameLakeAsync(TempDirectory temp, string expected, string actual, int batches, bool compareQuarantine = true)
    {
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Path), TimeProvider.System);
        using var connection = lake.Connect();
        using var a = new LakeContext(new LocalLakeStoreFactory(temp.Combine(expected)), TimeProvider.System);
        using var b = new LakeContext(new LocalLakeStoreFactory(temp.Combine(actual)), TimeProvider.System);
        await LakeAssertions.ViewAsync(b, connection, LakeTables.BronzeTelemetry, "b_bronze");
        Assert.Equal(0, LakeAssertions.Count(connection, "SELECT source_file, source_line, body FROM b_bronze GROUP BY ALL HAVING count(*) > 1"));
        await LakeAssertions.ViewAsync(a, connection, LakeTables.Batch, "a_batch_all");
        await LakeAssertions.ViewAsync(b, connection, LakeTables.Batch, "b_batch_all");
        Assert.Equal(0, LakeAssertions.Count(connection, "SELECT device_id, module_id, journal_id, seq FROM b_batch_all GROUP BY ALL HAVING count(*) > 1"));
        Assert.True(LakeAssertions.Count(connection, "SELECT * FROM b_batch_all") <= batches);
        connection.Execute("CREATE TEMP VIEW a_batch AS SELECT device_id, module_id, journal_id, seq, store_id, created_at, content_hash FROM a_batch_all");
        connection.Execute("CREATE TEMP VIEW b_batch AS SELECT device_id, module_id, journal_id, seq, store_id, created_at, content_hash FROM b_batch_all");
        Assert.Null(LakeAssertions.Difference(connection, "b_batch", "a_batch"));
        var tables = LakeTables.SilverTables.Where(t => t != LakeTables.Batch && (compareQuarantine || t != LakeTables.Quarantine)).Concat(LakeTables.GoldTables);
        foreach (var table in tables)
        {
            Assert.True(await LakeAssertions.ViewAsync(a, connection, table, "a_" + table.Name), "reference lacks " + table.FullName);
            Assert.True(await LakeAssertions.ViewAsync(b, connection, table, "b_" + table.Name), "lake lacks " + table.FullName);
            Assert.Null(LakeAssertions.Difference(connection, "b_" + table.Name, "a_" + table.Name));
        }
    }

    private static async Task FillAsync(string path, long bytes)
    {
        var chunk = new byte[1 << 20];
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        await using (file)
        {
            for (long written = 0; written < bytes; written += chunk.Length)
            {
                await file.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, bytes - written)));
            }
        }
    }

    private static async Task RunAsync(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
    }
}
