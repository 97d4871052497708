using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Validation;

namespace RetailEdge.Contracts.Tests;

public class SnapshotCsvTests
{
    [Fact]
    public void FormatThenParse_RoundTripsTheCount()
    {
        var snapshot = TestEvents.Snapshot();

        var parsed = SnapshotCsv.Parse(SnapshotCsv.Format(snapshot));

        Assert.True(parsed.IsValid, parsed.Detail);
        var single = Assert.Single(parsed.Events);
        Assert.Equal(snapshot.Ts, single.Ts);
        Assert.Equal(snapshot.Counts, single.Counts);
        Assert.Equal("E7", single.EmployeeId);
    }

    [Fact]
    public void Parse_SameContentTwice_GivesSameIds()
    {
        var csv = SnapshotCsv.Format(TestEvents.Snapshot());

        Assert.Equal(SnapshotCsv.Parse(csv).Events[0].Id, SnapshotCsv.Parse(csv).Events[0].Id);
    }

    [Fact]
    public void Parse_TwoCountTimes_GiveTwoEvents()
    {
        var csv = SnapshotCsv.Header + "\n1,E1,17,2026-11-20T08:00:00+01:00,5\n2,E1,17,2026-11-20T08:00:00+01:00,6\n1,E2,17,2026-11-21T08:00:00+01:00,7\n";

        var parsed = SnapshotCsv.Parse(csv);

        Assert.Equal(2, parsed.Events.Count);
        Assert.Equal(2, parsed.Events[0].Counts.Count);
        Assert.NotEqual(parsed.Events[0].Id, parsed.Events[1].Id);
    }

    [Theory]
    [InlineData("item,qty\n1,2\n", "missing_field:header")]
    [InlineData(SnapshotCsv.Header + "\nx,E1,17,2026-11-20T08:00:00+01:00,5\n", "invalid_field:item_id")]
    [InlineData(SnapshotCsv.Header + "\n1,E1,17,2026-11-20 08:00,5\n", ReasonCodes.BadTimestamp)]
    [InlineData(SnapshotCsv.Header + "\n1,E1,17,2026-11-20T08:00:00+01:00,-5\n", "invalid_field:quantity")]
    [InlineData(SnapshotCsv.Header + "\n1,E1,17\n", ReasonCodes.MalformedCsv)]
    [InlineData(SnapshotCsv.Header + "\n", "missing_field:counts")]
    public void Parse_BadFiles_GiveReason(string csv, string reason)
    {
        var parsed = SnapshotCsv.Parse(csv);

        Assert.False(parsed.IsValid);
        Assert.Equal(reason, parsed.Reason);
        Assert.Empty(parsed.Events);
    }
}
