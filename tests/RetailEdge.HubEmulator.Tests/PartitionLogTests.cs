using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.HubEmulator.EventHubs;
using RetailEdge.HubEmulator.Registry;
using RetailEdge.HubEmulator.Routing;
using RetailEdge.Testing;

namespace RetailEdge.HubEmulator.Tests;

/// <summary>The built-in endpoint's partition log on real files: positions, retention by age and size, reopening, a torn last line.</summary>
public sealed class PartitionLogTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new("partitionlog");

    public void Dispose() => _temp.Dispose();

    private static RoutedMessage Message(int i, DateTimeOffset at, int bodyBytes = 100) =>
        new(new IdentityKey("store001-gw", "StoreGateway"), "g1", at, [new("seq", i.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            "m" + i, null, "application/json", "utf-8", Encoding.UTF8.GetBytes(new string('x', bodyBytes)));

    private PartitionLog Open(EventRetentionOptions retention) => PartitionLog.Open("0", _temp.Combine("p0"), retention, NullLogger.Instance);

    [Fact]
    public void Append_SequenceNumbersFromZero_OffsetsAreBytePositions_StartPositionsResolve()
    {
        using var log = Open(new EventRetentionOptions(TimeSpan.FromDays(1), 256L * 1024 * 1024));

        var events = Enumerable.Range(0, 5).Select(i => log.Append(Message(i, T0.AddSeconds(i)), T0.AddSeconds(i))).ToList();

        Assert.Equal([0L, 1, 2, 3, 4], events.Select(e => e.SequenceNumber));
        Assert.Equal(0, events[0].Offset);
        Assert.True(events.Zip(events.Skip(1)).All(p => p.Second.Offset > p.First.Offset));
        Assert.Equal(3, log.StartOf(new EventPosition(EventPositionKind.Offset, events[3].Offset, Inclusive: true)));
        Assert.Equal(4, log.StartOf(new EventPosition(EventPositionKind.Offset, events[3].Offset, Inclusive: false)));
        Assert.Equal(2, log.StartOf(new EventPosition(EventPositionKind.EnqueuedTime, T0.AddSeconds(1).ToUnixTimeMilliseconds(), Inclusive: false)));
        Assert.Equal(1, log.StartOf(new EventPosition(EventPositionKind.EnqueuedTime, T0.AddSeconds(1).ToUnixTimeMilliseconds(), Inclusive: true)));
        Assert.Equal(5, log.StartOf(EventPosition.Latest));
        Assert.Equal(0, log.StartOf(EventPosition.Earliest));
        Assert.Equal(5, log.StartOf(new EventPosition(EventPositionKind.SequenceNumber, 99, Inclusive: true)));
        var info = log.Info();
        Assert.Equal((0L, 4L, events[4].Offset, false), (info.BeginSequenceNumber, info.LastSequenceNumber, info.LastOffset, info.IsEmpty));
    }

    [Fact]
    public void RetentionByAge_DropsOldSegments_NumberingGoesOnAfterReopen()
    {
        var retention = new EventRetentionOptions(TimeSpan.FromHours(4), 256L * 1024 * 1024);
        using (var log = Open(retention))
        {
            // one event per hour: segments roll every hour (a quarter of the age limit)
            for (var i = 0; i < 10; i++)
            {
                log.Append(Message(i, T0.AddHours(i)), T0.AddHours(i));
            }
            var dropped = log.ApplyRetention(T0.AddHours(9.5));

            Assert.True(dropped >= 5, $"dropped {dropped}");
            Assert.True(log.Info().BeginSequenceNumber >= 5);
            Assert.Equal(log.Info().BeginSequenceNumber, log.ReadFrom(0, 100)[0].SequenceNumber);
            Assert.Equal(9, log.ReadFrom(0, 100)[^1].SequenceNumber);
        }
        using (var reopened = Open(retention))
        {
            reopened.ApplyRetention(T0.AddDays(2));
            var info = reopened.Info();
            var next = reopened.Append(Message(10, T0.AddDays(2)), T0.AddDays(2));

            Assert.True(info.IsEmpty);
            Assert.Equal(10, info.BeginSequenceNumber);
            Assert.Equal(10, next.SequenceNumber);
            Assert.True(next.Offset > 0);
        }
    }

    [Fact]
    public void RetentionBySize_KeepsThePartitionUnderItsLimit_NewestKept()
    {
        var retention = new EventRetentionOptions(TimeSpan.FromDays(1), 1024 * 1024);
        using var log = Open(retention);
        for (var i = 0; i < 400; i++)
        {
            log.Append(Message(i, T0.AddSeconds(i), bodyBytes: 8 * 1024), T0.AddSeconds(i));
        }

        log.ApplyRetention(T0.AddSeconds(400));
        var kept = log.ReadFrom(0, 1000);
        var bytes = Directory.GetFiles(_temp.Combine("p0")).Sum(f => new FileInfo(f).Length);

        Assert.True(bytes <= retention.MaxBytesPerPartition, $"{bytes} bytes kept");
        Assert.Equal(399, kept[^1].SequenceNumber);
        Assert.True(kept.Count is > 50 and < 400, $"{kept.Count} kept");
        Assert.Equal(Enumerable.Range((int)kept[0].SequenceNumber, kept.Count).Select(i => (long)i), kept.Select(e => e.SequenceNumber));
    }

    [Fact]
    public void Reopen_AfterATornLastLine_KeepsEveryWholeEvent_AndAppendsAfterThem()
    {
        var retention = new EventRetentionOptions(TimeSpan.FromDays(1), 256L * 1024 * 1024);
        using (var log = Open(retention))
        {
            for (var i = 0; i < 3; i++)
            {
                log.Append(Message(i, T0.AddSeconds(i)), T0.AddSeconds(i));
            }
        }
        var segment = Directory.GetFiles(_temp.Combine("p0")).Single();
        File.AppendAllText(segment, "{\"seq\":3,\"offset\":");

        using var reopened = Open(retention);
        var next = reopened.Append(Message(3, T0.AddSeconds(3)), T0.AddSeconds(3));
        var all = reopened.ReadFrom(0, 10);

        Assert.Equal([0L, 1, 2, 3], all.Select(e => e.SequenceNumber));
        Assert.Equal(["m0", "m1", "m2", "m3"], all.Select(e => e.MessageId));
        Assert.Equal(new FileInfo(segment).Length, next.Offset + File.ReadAllLines(segment)[^1].Length + 1);
    }

    [Theory]
    [InlineData("amqp.annotation.x-opt-offset > '-1'", EventPositionKind.Earliest, 0, true)]
    [InlineData("amqp.annotation.x-opt-offset > '@latest'", EventPositionKind.Latest, 0, false)]
    [InlineData("amqp.annotation.x-opt-offset >= '1200'", EventPositionKind.Offset, 1200, true)]
    [InlineData("amqp.annotation.x-opt-sequence-number > 7", EventPositionKind.SequenceNumber, 7, false)]
    [InlineData("amqp.annotation.x-opt-sequence-number >= '7'", EventPositionKind.SequenceNumber, 7, true)]
    [InlineData("amqp.annotation.x-opt-enqueued-time > '1764576000000'", EventPositionKind.EnqueuedTime, 1764576000000, false)]
    public void Filter_TheClientsExpressions_Parse(string filter, EventPositionKind kind, long value, bool inclusive)
    {
        Assert.True(EventPositionFilter.TryParse(filter, out var position, out var error), error);
        Assert.Equal(new EventPosition(kind, value, inclusive), position);
    }

    [Theory]
    [InlineData("amqp.annotation.x-opt-offset > 'abc'", "not a whole number")]
    [InlineData("amqp.annotation.x-opt-partition-key > 1", "not x-opt-offset")]
    [InlineData("1 = 1", "must compare")]
    [InlineData("amqp.annotation.x-opt-offset = 5", "must use >")]
    public void Filter_Anything_Else_RefusedWithTheReason(string filter, string reason)
    {
        Assert.False(EventPositionFilter.TryParse(filter, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.False(EventPositionFilter.TryParse(new string('x', EventPositionFilter.MaxLength + 1), out _, out _));
    }
}
