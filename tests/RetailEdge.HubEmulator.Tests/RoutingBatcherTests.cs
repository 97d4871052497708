using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.HubEmulator.Registry;
using RetailEdge.HubEmulator.Routing;
using RetailEdge.Testing;

namespace RetailEdge.HubEmulator.Tests;

public class RoutingBatcherTests
{
    private static RoutedMessage Message(string device, int n, DateTimeOffset time) =>
        new(new IdentityKey(device, "m"), "1", time, [], $"{device}-{n}", null, "application/json", "utf-8", System.Text.Encoding.UTF8.GetBytes($"{{\"n\":{n}}}"));

    [Fact]
    public void PartitionOf_SameDevice_Stable()
    {
        var first = RoutingPartitioner.PartitionOf("store017-gw", 4);

        Assert.Equal(first, RoutingPartitioner.PartitionOf("store017-gw", 4));
        Assert.InRange(first, 0, 3);
        // 40 devices spread over more than one partition
        Assert.True(Enumerable.Range(0, 40).Select(i => RoutingPartitioner.PartitionOf($"store{i:000}-gw", 4)).Distinct().Count() > 1);
    }

    [Fact]
    public void BlobName_IotHubLayout()
    {
        Assert.Equal("myhub/02/2026/11/20/08/01", RoutingPartitioner.BlobName("myhub", 2, new DateTimeOffset(2026, 11, 20, 9, 1, 59, TimeSpan.FromHours(1))));
    }

    [Fact]
    public async Task StopAsync_BufferedRecords_WrittenToLayoutAndAppendTasksComplete()
    {
        using var dir = new TempDirectory();
        var time = new DateTimeOffset(2026, 11, 20, 8, 1, 2, TimeSpan.Zero);
        var batcher = new RoutingBatcher(new RoutingOptions { HubName = "myhub", BatchInterval = TimeSpan.FromHours(1) }, new FolderRoutingSink(dir.Path), TimeProvider.System, NullLogger.Instance);
        batcher.Start();
        var written = Enumerable.Range(0, 10).Select(i => batcher.Append(Message($"dev{i % 3}", i, time))).ToList();

        await batcher.StopAsync(CancellationToken.None);

        Assert.All(written, t => Assert.True(t.IsCompletedSuccessfully));
        var files = Directory.EnumerateFiles(dir.Path, "*", SearchOption.AllDirectories).ToList();
        Assert.All(files, f => Assert.Matches(@"myhub/0[0-3]/2026/11/20/08/01$", f.Replace('\\', '/')));
        var lines = files.SelectMany(File.ReadAllLines).ToList();
        Assert.Equal(10, lines.Count);
        Assert.Equal(10, batcher.RecordsWritten);
    }

    [Fact]
    public async Task FlushAsync_TwiceInOneMinute_SecondFileGetsSuffixNothingOverwritten()
    {
        using var dir = new TempDirectory();
        var time = new DateTimeOffset(2026, 11, 20, 8, 1, 2, TimeSpan.Zero);
        await using var batcher = new RoutingBatcher(new RoutingOptions { HubName = "myhub", PartitionCount = 1 }, new FolderRoutingSink(dir.Path), TimeProvider.System, NullLogger.Instance);
        _ = batcher.Append(Message("d", 1, time));
        await batcher.FlushAsync(CancellationToken.None);
        _ = batcher.Append(Message("d", 2, time.AddSeconds(10)));
        await batcher.FlushAsync(CancellationToken.None);

        var folder = Path.Combine(dir.Path, "myhub", "00", "2026", "11", "20", "08");
        Assert.Equal(["01", "01-01"], Directory.GetFiles(folder).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
        Assert.Contains("d-1", await File.ReadAllTextAsync(Path.Combine(folder, "01")), StringComparison.Ordinal);
        Assert.Contains("d-2", await File.ReadAllTextAsync(Path.Combine(folder, "01-01")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlushAsync_SinkFails_RecordsKeptAndWrittenOnNextFlush()
    {
        using var dir = new TempDirectory();
        var sink = new FlakySink(new FolderRoutingSink(dir.Path));
        await using var batcher = new RoutingBatcher(new RoutingOptions { HubName = "h", PartitionCount = 1 }, sink, TimeProvider.System, NullLogger.Instance);
        var time = DateTimeOffset.UtcNow;
        var first = batcher.Append(Message("d", 1, time));
        sink.FailNext = true;
        await batcher.FlushAsync(CancellationToken.None);
        Assert.False(first.IsCompleted);
        Assert.Equal(1, batcher.WriteFailures);
        var second = batcher.Append(Message("d", 2, time));

        await batcher.FlushAsync(CancellationToken.None);

        Assert.True(first.IsCompletedSuccessfully);
        Assert.True(second.IsCompletedSuccessfully);
        var text = string.Join("\n", Directory.EnumerateFiles(dir.Path, "*", SearchOption.AllDirectories).Select(File.ReadAllText));
        Assert.True(text.IndexOf("d-1", StringComparison.Ordinal) < text.IndexOf("d-2", StringComparison.Ordinal));
    }

    private sealed class FlakySink(IRoutingSink inner) : IRoutingSink
    {
        public bool FailNext { get; set; }

        public string Description => "flaky " + inner.Description;

        public Task<string> WriteNewAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new IOException("disk unplugged");
            }
            return inner.WriteNewAsync(name, content, cancellationToken);
        }
    }
}
