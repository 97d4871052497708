using System.Text;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Testing;

namespace RetailEdge.Lakehouse.Tests;

/// <summary>Routed files are known by name and content: a changed file is never skipped silently; long lines stay bounded.</summary>
public sealed class LanderTests
{
    private static readonly DateTimeOffset Enqueued = new(2026, 11, 20, 8, 1, 0, TimeSpan.Zero);
    private const string FileName = "hub/00/2026/11/20/08/05.json";

    [Fact]
    public async Task RunUntilIdle_LandedFileRewrittenWithMoreBatches_LandsTheNewOnesAndLogs()
    {
        using var temp = new TempDirectory("land-changed");
        var path = temp.Combine("routed", FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Line(Batch(1)));
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake")), TimeProvider.System);
        using var logs = new CapturingLoggerFactory();
        var pipeline = new LakehousePipeline(lake, new FolderTelemetrySource(temp.Combine("routed")), logs);
        await pipeline.RunUntilIdleAsync(CancellationToken.None);

        // the same name, now with the first batch and a new one
        File.WriteAllBytes(path, [.. Line(Batch(1)), .. Line(Batch(2))]);
        await pipeline.RunUntilIdleAsync(CancellationToken.None);
        await pipeline.RunUntilIdleAsync(CancellationToken.None);

        using var connection = lake.Connect();
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.Batch, "batches");
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.ItemWindow, "items");
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.BronzeTelemetry, "bronze");
        Assert.Equal(2, LakeAssertions.Count(connection, "SELECT * FROM batches"));
        Assert.Equal(2, LakeAssertions.Count(connection, "SELECT * FROM items"));
        Assert.Equal(2, LakeAssertions.Count(connection, "SELECT * FROM bronze")); // appended to: the first line is not landed twice
        Assert.Equal(1, LakeAssertions.Count(connection, "SELECT * FROM bronze WHERE source_line = 2"));
        Assert.Contains(logs.Lines, l => l.Contains("Routed file " + FileName + " changed after it was landed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunUntilIdle_SameLengthOtherContent_RelandedWhileATouchedFileIsNot()
    {
        using var temp = new TempDirectory("land-same-length");
        var changed = temp.Combine("routed", FileName);
        var touched = temp.Combine("routed", "hub/01/2026/11/20/08/05.json");
        Directory.CreateDirectory(Path.GetDirectoryName(changed)!);
        Directory.CreateDirectory(Path.GetDirectoryName(touched)!);
        File.WriteAllBytes(changed, Line(Batch(1)));
        File.WriteAllBytes(touched, Line(Batch(7)));
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake")), TimeProvider.System);
        var pipeline = new LakehousePipeline(lake, new FolderTelemetrySource(temp.Combine("routed")), new CapturingLoggerFactory());
        await pipeline.RunUntilIdleAsync(CancellationToken.None);

        var other = Line(Batch(2));
        Assert.Equal(new FileInfo(changed).Length, other.Length);
        File.WriteAllBytes(changed, other);
        File.SetLastWriteTimeUtc(changed, DateTime.UtcNow.AddMinutes(5));
        File.SetLastWriteTimeUtc(touched, DateTime.UtcNow.AddMinutes(5));
        await pipeline.RunUntilIdleAsync(CancellationToken.None);

        using var connection = lake.Connect();
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.Batch, "batches");
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.BronzeTelemetry, "bronze");
        Assert.Equal(3, LakeAssertions.Count(connection, "SELECT * FROM batches"));
        Assert.Equal(2, LakeAssertions.Count(connection, $"SELECT * FROM bronze WHERE source_file = '{FileName}'"));
        Assert.Equal(1, LakeAssertions.Count(connection, "SELECT * FROM bronze WHERE source_file = 'hub/01/2026/11/20/08/05.json'"));
    }

    [Fact]
    public async Task RunUntilIdle_OversizeLine_QuarantinedWithSampleSizeAndHashWhileNeighboursLand()
    {
        using var temp = new TempDirectory("land-oversize");
        var path = temp.Combine("routed", FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var huge = Encoding.UTF8.GetBytes("{\"Body\":\"" + new string('A', 3 * 1024 * 1024) + "\"}\n");
        File.WriteAllBytes(path, [.. Line(Batch(1)), .. huge, .. Line(Batch(2))]);
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake")), TimeProvider.System);

        await new LakehousePipeline(lake, new FolderTelemetrySource(temp.Combine("routed")), new CapturingLoggerFactory()).RunUntilIdleAsync(CancellationToken.None);

        using var connection = lake.Connect();
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.Batch, "batches");
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.Quarantine, "quarantine");
        Assert.Equal(2, LakeAssertions.Count(connection, "SELECT * FROM batches"));
        Assert.Equal(1, LakeAssertions.Count(connection,
            $"SELECT * FROM quarantine WHERE reason = 'line_too_large' AND source_line = 2 AND octet_length(raw) = {RoutedRecordParser.OversizeSampleBytes} AND detail LIKE '%{huge.Length - 1} bytes%'"));
    }

    private static TelemetryBatch Batch(long seq) => new()
    {
        StoreId = 5,
        Gateway = "store005-gw",
        Seq = seq,
        CreatedAt = new DateTimeOffset(2026, 11, 20, 9, 1, 0, TimeSpan.FromHours(1)),
        Items = [new ItemWindowRow(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.FromHours(1)), 1001, "sale", "store", 1, 3, 5.97m, 0)],
    };

    private static byte[] Line(TelemetryBatch batch) => RoutedRecordWriter.Format(batch, batch.Gateway, batch.Module, Enqueued, gzip: false);
}
