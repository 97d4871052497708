using RetailEdge.Delta.Storage;
using DuckDB.NET.Data;
using RetailEdge.Testing;

namespace RetailEdge.Delta.Tests;

public sealed class CrashSafetyTests : IDisposable
{
    private static readonly DeltaSchema Schema = new([new DeltaField("id", DeltaType.Long), new DeltaField("store", DeltaType.String)]);

    private readonly TempDirectory _directory = new("delta-crash");
    private readonly DuckDBConnection _database = DuckDbConnectionExtensions.OpenInMemory();
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);

    public void Dispose()
    {
        _database.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task Writer_KilledBetweenDataFilesAndCommit_TableUnchangedAndVacuumRemovesOrphanAfterRetention()
    {
        var path = _directory.Combine("t");
        var table = TestTables.Open(path, _database, _time);
        await table.CreateAsync(Schema, [], null, CancellationToken.None);
        using var connection = TestTables.Connect(_database);
        await table.WriteAsync(connection, "SELECT range AS id, 'ok' AS store FROM range(10)", null, CancellationToken.None);
        var before = await TestTables.ReadRowsAsync(table, connection);

        await using (var writer = ManagedProcess.Start("dotnet", [CrashWriterPath(), path]))
        {
            await writer.WaitForOutputAsync("DATA-WRITTEN", TimeSpan.FromSeconds(60));
            writer.Kill(); // SIGKILL: no clean-up runs
        }

        Assert.Equal(2, Directory.GetFiles(path, "*.parquet").Length);
        var after = TestTables.Open(path, _database, _time);
        Assert.Equal(1, (await after.GetSnapshotAsync(null, CancellationToken.None)).Version);
        Assert.Equal(before.Select(r => string.Join("|", r)), (await TestTables.ReadRowsAsync(after, connection)).Select(r => string.Join("|", r)));

        var early = await after.VacuumAsync(null, dryRun: false, CancellationToken.None);
        Assert.Empty(early.Deleted);
        Assert.Equal(1, early.KeptWithinRetention);
        _time.Advance(TimeSpan.FromDays(8));
        var late = await after.VacuumAsync(null, dryRun: false, CancellationToken.None);

        var orphan = Assert.Single(late.Deleted);
        Assert.Single(Directory.GetFiles(path, "*.parquet"));
        Assert.DoesNotContain((await after.GetSnapshotAsync(null, CancellationToken.None)).Files, f => f.Path == orphan);
        Assert.Equal(before.Count, (await TestTables.ReadRowsAsync(after, connection)).Count);
    }

    private static string CrashWriterPath()
    {
        var ownFolder = Path.Combine("tests", "RetailEdge.Delta.Tests") + Path.DirectorySeparatorChar;
        var helperFolder = Path.Combine("tests", "RetailEdge.Delta.CrashWriter") + Path.DirectorySeparatorChar;
        var path = Path.Combine(AppContext.BaseDirectory.Replace(ownFolder, helperFolder, StringComparison.Ordinal), "RetailEdge.Delta.CrashWriter.dll");
        return RepoPaths.Require(path, "the crash writer helper (built with the tests)");
    }
}
