using System.Text;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Validation;
using RetailEdge.Simulator;

namespace RetailEdge.Simulator.Tests;

public sealed class StoreSimulatorTests
{
    private static SimulationOptions Small(int stores = 2, FaultSettings? faults = null, int seed = 7) =>
        new() { Profile = "small", Stores = stores, Seed = seed, Faults = faults ?? FaultSettings.None };

    [Fact]
    public void Generate_SmallProfileOneDay_EveryEventValidatesInArrivalOrder()
    {
        var simulator = new StoreSimulator(Small(stores: 3));
        var validators = Enumerable.Range(1, 3).ToDictionary(s => s, s => new EventValidator(new EventValidationOptions
        {
            ExpectedStoreId = s,
            KnownItems = simulator.Catalog.ItemIdsOf(s),
        }));
        var previous = DateTimeOffset.MinValue;
        var types = new Dictionary<string, int>();
        var ids = new HashSet<string>();
        foreach (var e in simulator.Generate())
        {
            Assert.True(e.ArrivalTime >= previous, $"arrival order broken at {e.Event?.Id}");
            previous = e.ArrivalTime;
            Assert.Null(e.Fault);
            Assert.Equal(simulator.Catalog.OffsetOf(e.StoreId), e.Event!.Ts.Offset);
            var result = validators[e.StoreId].Validate(e.Json, e.ArrivalTime);
            Assert.True(result.IsValid, $"{result.Reason} {result.Detail}: {Encoding.UTF8.GetString(e.Json)}");
            Assert.True(ids.Add(result.Event!.Id), "ids are unique");
            Assert.Equal(e.Json, StoreEventJson.Serialize(result.Event));
            Assert.Equal(e.Json, StoreEventJson.Serialize(e.Event!));
            types[result.Event.Type] = types.GetValueOrDefault(result.Event.Type) + 1;
        }
        Assert.Equal(StoreEventTypes.All.Order(), types.Keys.Order());
        Assert.Equal(0, simulator.Faults.Total);
    }

    [Fact]
    public void Generate_SameOptionsTwice_IdenticalBytes()
    {
        var options = Small(faults: FaultSettings.Heavy);
        var first = Concatenate(new StoreSimulator(options).Generate());
        var again = new StoreSimulator(options);
        var second = Concatenate(again.Generate());
        var thirdOnSameInstance = Concatenate(again.Generate());
        Assert.True(first.Length > 100_000);
        Assert.Equal(first, second);
        Assert.Equal(first, thirdOnSameInstance);
    }

    [Fact]
    public void Generate_OtherSeed_DifferentEvents()
    {
        var a = Concatenate(new StoreSimulator(Small(seed: 1)).Generate());
        var b = Concatenate(new StoreSimulator(Small(seed: 2)).Generate());
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Generate_AnyFaultSetting_ValidStreamIdentical()
    {
        var none = ValidStream(FaultSettings.None);
        var heavy = ValidStream(FaultSettings.Heavy);
        var deflt = ValidStream(FaultSettings.Default);
        var onlyLate = ValidStream(new FaultSettings { Late = 0.3, LateSnapshot = 1 });
        Assert.True(none.Count > 500);
        Assert.Equal(none, heavy);
        Assert.Equal(none, deflt);
        Assert.Equal(none, onlyLate);
    }

    [Fact]
    public void Generate_HeavyFaults_ValidatorAndIdJournalClassifyEveryInjectedFault()
    {
        var simulator = new StoreSimulator(Small(stores: 3, faults: FaultSettings.Heavy, seed: 11));
        var validators = Enumerable.Range(1, 3).ToDictionary(s => s, s => new EventValidator(new EventValidationOptions
        {
            ExpectedStoreId = s,
            KnownItems = simulator.Catalog.ItemIdsOf(s),
        }));
        var seen = Enumerable.Range(1, 3).ToDictionary(s => s, _ => new HashSet<string>(StringComparer.Ordinal));
        var byKind = FaultKinds.All.ToDictionary(k => k, _ => 0L);
        var byReason = new Dictionary<string, long>();
        var latest = new Dictionary<int, DateTimeOffset>();
        long valid = 0;
        var overtaken = 0;
        foreach (var e in simulator.Generate())
        {
            var result = validators[e.StoreId].Validate(e.Json, e.ArrivalTime);
            var reason = result.IsValid ? seen[e.StoreId].Add(result.Event!.Id) ? null : ReasonCodes.Duplicate : result.Reason;
            Assert.True(e.ExpectedReason == reason, $"{e.Fault}: expected {e.ExpectedReason}, validator said {reason} ({result.Detail}) for {Encoding.UTF8.GetString(e.Json.AsSpan(0, Math.Min(300, e.Json.Length)))}");
            if (e.Fault is { } fault)
            {
                byKind[fault]++;
                byReason[reason ?? "accepted"] = byReason.GetValueOrDefault(reason ?? "accepted") + 1;
            }
            if (reason is null)
            {
                valid++;
                if (e.Fault is FaultKinds.Late or FaultKinds.LateSnapshot or FaultKinds.OutOfOrder)
                {
                    Assert.True(e.ArrivalTime > e.Event!.Ts, "a delayed event arrives after its time");
                    overtaken += latest[e.StoreId] > e.Event.Ts ? 1 : 0;
                }
                latest[e.StoreId] = e.ArrivalTime > latest.GetValueOrDefault(e.StoreId) ? e.ArrivalTime : latest[e.StoreId];
            }
        }
        foreach (var kind in FaultKinds.All)
        {
            Assert.True(byKind[kind] > 0, $"no {kind} injected");
            Assert.Equal(simulator.Faults[kind], byKind[kind]);
        }
        Assert.Equal(simulator.Faults.Total, byKind.Values.Sum());
        Assert.Equal(simulator.Faults[FaultKinds.Duplicate], byReason[ReasonCodes.Duplicate]);
        Assert.Equal(simulator.Faults[FaultKinds.Oversized], byReason[ReasonCodes.TooLarge]);
        Assert.Equal(simulator.Faults[FaultKinds.MissingField], byReason.Where(r => r.Key.StartsWith(ReasonCodes.MissingFieldPrefix, StringComparison.Ordinal)).Sum(r => r.Value));
        Assert.True(valid > 500);
        Assert.True(overtaken > 10, "delayed events arrive after younger ones");
    }

    [Fact]
    public void Generate_StoreCountChanges_StoreOneEventsUnchanged()
    {
        var alone = new StoreSimulator(Small(stores: 1)).Generate().Select(e => Encoding.UTF8.GetString(e.Json)).ToList();
        var withOthers = new StoreSimulator(Small(stores: 4)).Generate().Where(e => e.StoreId == 1).Select(e => Encoding.UTF8.GetString(e.Json)).ToList();
        Assert.Equal(alone, withOthers);
    }

    [Fact]
    public void Generate_OneHour_IsPrefixOfTheDay()
    {
        var start = new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);
        var hourly = new StoreSimulator(Small() with { Start = start, Duration = TimeSpan.FromHours(1) });
        var hour = hourly.Generate().ToList();
        var day = new StoreSimulator(Small() with { Start = start, Duration = TimeSpan.FromDays(1) }).Generate()
            .Where(e => e.Event!.Ts < hourly.EndOf(e.StoreId)).ToList();
        Assert.NotEmpty(hour);
        Assert.Equal(hour.Select(e => e.Json), day.Select(e => e.Json));
        Assert.All(hour, e => Assert.InRange(e.Event!.Ts.TimeOfDay, TimeSpan.FromHours(10), TimeSpan.FromHours(11)));
    }

    [Fact]
    public void Generate_AbsoluteStart_EveryStoreStartsAtTheSameInstant()
    {
        var start = new DateTimeOffset(2026, 11, 2, 17, 0, 0, TimeSpan.Zero);
        var simulator = new StoreSimulator(Small(stores: 4) with { Start = start, StartIsStoreLocal = false, Duration = TimeSpan.FromHours(2) });
        var events = simulator.Generate().ToList();
        Assert.Equal(4, events.Select(e => e.StoreId).Distinct().Count());
        Assert.All(events, e => Assert.InRange(e.Event!.Ts, start, start.AddHours(2)));
        Assert.Equal(start, simulator.StartOf(3));
        Assert.Equal(TimeSpan.FromHours(-7), simulator.StartOf(3).Offset);
    }

    [Fact]
    public void Generate_WeighedBasketLines_EachMatchesAnEarlierPrintedWeighing()
    {
        var labels = new Dictionary<(long, decimal, decimal), int>();
        var weighedLines = 0;
        foreach (var e in new StoreSimulator(Small(stores: 1)).Generate())
        {
            switch (e.Event)
            {
                case WeighingEvent w when w.LabelPrinted:
                    labels[(w.ItemId, w.NetKg, w.PricePerKg)] = labels.GetValueOrDefault((w.ItemId, w.NetKg, w.PricePerKg)) + 1;
                    break;
                case BasketEvent b:
                    foreach (var line in b.Lines.Where(l => l.Qty != decimal.Truncate(l.Qty)))
                    {
                        weighedLines++;
                        var key = (line.ItemId, line.Qty, line.UnitPrice);
                        Assert.True(labels.GetValueOrDefault(key) > 0, $"basket {b.Id} scans a label no scale printed: {key}");
                        labels[key]--;
                        Assert.Equal(Channels.Store, b.Channel);
                    }
                    break;
            }
        }
        Assert.True(weighedLines > 20);
    }

    [Fact]
    public void Generate_Basket_RealisticShape()
    {
        var simulator = new StoreSimulator(Small(stores: 2));
        var baskets = simulator.Generate().Select(e => e.Event).OfType<BasketEvent>().ToList();
        var prices = simulator.Catalog.Items.ToDictionary(i => i.ItemId, i => i.UnitPrice);
        var lines = baskets.SelectMany(b => b.Lines).ToList();
        Assert.Contains(baskets, b => b.Lines.All(l => l.Qty < 0));
        Assert.Contains(baskets, b => b.Channel == Channels.Bopis);
        Assert.Contains(baskets, b => b.Channel == Channels.Online);
        Assert.All(baskets.Where(b => b.Channel != Channels.Store), b => Assert.NotNull(b.CustomerId));
        var loyalty = baskets.Where(b => b.CustomerId is not null).GroupBy(b => b.CustomerId).ToList();
        Assert.Contains(loyalty, g => g.Count() > 1);
        Assert.InRange(baskets.Count(b => b.CustomerId is not null) / (double)baskets.Count, 0.3, 0.6);
        Assert.Contains(lines, l => l.Discount > 0);
        Assert.True(lines.Count(l => l.UnitPrice == prices[l.ItemId]) > 0.99 * lines.Count, "POS prices are the catalogue's");
        Assert.Contains(baskets, b => b.Lines.Count >= 30);
        Assert.Contains(baskets, b => b.Lines.Count == 1);
        Assert.Equal(simulator.Profile.Lanes, baskets.Where(b => b.Channel == Channels.Store).Select(b => b.LaneId).Distinct().Count());
        var perItem = lines.GroupBy(l => l.ItemId).Select(g => g.Count()).OrderDescending().ToList();
        Assert.True(perItem[0] > 10 * perItem[perItem.Count / 2], "popularity is skewed");
    }

    [Fact]
    public void Generate_FullCountDay_CountsWholeAssortmentBeforeOpening()
    {
        var simulator = new StoreSimulator(Small(stores: 1) with { Duration = TimeSpan.FromDays(6) });
        var snapshots = simulator.Generate().Select(e => e.Event).OfType<InventorySnapshotEvent>().ToList();
        var assortment = simulator.Catalog.AssortmentOf(1);
        var full = snapshots.Where(s => s.Counts.Count == assortment.Count).ToList();
        Assert.Equal([new DateOnly(2026, 11, 2), new DateOnly(2026, 11, 7)], full.Select(s => s.LocalDate));
        Assert.All(full, s => Assert.True(s.Ts.Hour < simulator.Profile.OpenHour));
        Assert.Equal(assortment, full[0].Counts.Select(c => c.ItemId));
        Assert.True(snapshots.Count > full.Count, "cycle counts on other days");
    }

    private static byte[] Concatenate(IEnumerable<SimulatedEvent> events)
    {
        using var stream = new MemoryStream();
        foreach (var e in events)
        {
            stream.Write(e.Json);
            stream.WriteByte((byte)'\n');
        }
        return stream.ToArray();
    }

    private static Dictionary<(int, long), string> ValidStream(FaultSettings faults)
    {
        var result = new Dictionary<(int, long), string>();
        foreach (var e in new StoreSimulator(Small(faults: faults)).Generate())
        {
            if (e.StoreSequence >= 0)
            {
                Assert.Null(e.ExpectedReason);
                result.Add((e.StoreId, e.StoreSequence), Encoding.UTF8.GetString(e.Json));
            }
        }
        return result;
    }
}
