using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Validation;
using static RetailEdge.Aggregation.Tests.Events;

namespace RetailEdge.Aggregation.Tests;

public class TelemetryPipelineTests
{
    [Fact]
    public void Run_ShuffledLateEventsAndDuplicates_SumsEqualDirectSums()
    {
        var random = new Random(7);
        var events = new List<TimedEvent>();
        var valid = new List<BasketEvent>();
        for (var i = 0; i < 2000; i++)
        {
            var ts = Day.AddSeconds(i * 7);
            var basket = Basket(ts, i % 10 == 0 ? Channels.Bopis : Channels.Store, Line(random.Next(1, 30), random.Next(-1, 4) is var q && q == 0 ? 1 : q, 1.25m));
            valid.Add(basket);
            // Some arrive up to 10 minutes late; some twice.
            var delay = random.Next(20) == 0 ? TimeSpan.FromMinutes(random.Next(1, 10)) : TimeSpan.FromMilliseconds(200);
            events.Add(new TimedEvent(basket, ts + delay));
            if (i % 50 == 0)
            {
                events.Add(new TimedEvent(basket, ts + delay + TimeSpan.FromSeconds(1)));
            }
        }

        var result = TelemetryPipeline.Run(events.OrderBy(e => e.ReceivedAt), Options());

        Assert.Equal(40, result.Duplicates);
        Assert.Equal(Enumerable.Range(1, result.Batches.Count).Select(i => (long)i), result.Batches.Select(b => b.Seq));
        var expected = valid.SelectMany(b => b.Lines.Select(l => (Key: (l.ItemId, ChangeTypes.ForBasketLine(b.Channel, l.Qty), b.LocalDate), l.Qty, l.Amount)))
            .GroupBy(x => x.Key).ToDictionary(g => g.Key, g => (g.Sum(x => x.Qty), g.Sum(x => x.Amount)));
        var actual = result.Batches.SelectMany(b => b.Items)
            .GroupBy(r => (r.ItemId, r.ChangeType, DateOnly.FromDateTime(r.WindowStart.DateTime)))
            .ToDictionary(g => g.Key, g => (g.Sum(r => r.Qty), g.Sum(r => r.Amount)));
        Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
        Assert.Equal(valid.Count, result.Batches.Sum(b => b.Baskets.Count));
    }

    [Fact]
    public void RunRaw_InvalidEvents_CountedInRejects()
    {
        var good = StoreEventJson.Serialize(Basket(Day, Channels.Store, Line(1, 1m, 1m)));
        var events = new (ReadOnlyMemory<byte>, DateTimeOffset)[]
        {
            (good, Day), ("{not json"u8.ToArray(), Day), (good, Day.AddSeconds(1)),
        };

        var result = TelemetryPipeline.RunRaw(events, Options(), new EventValidator());

        Assert.Equal((1L, 1L, 1L), (result.Accepted, result.Duplicates, result.Rejected));
        Assert.Equal(1, result.Batches.Sum(b => b.Rejects.ByReason.GetValueOrDefault(ReasonCodes.MalformedJson)));
    }
}
