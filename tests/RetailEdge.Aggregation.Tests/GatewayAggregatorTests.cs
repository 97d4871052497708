using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Reference;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Contracts.Twin;
using static RetailEdge.Aggregation.Tests.Events;

namespace RetailEdge.Aggregation.Tests;

public class GatewayAggregatorTests
{
    private static readonly DateTimeOffset T0 = Day;

    [Fact]
    public void Seal_ClosedWindow_SumsLinesPerItemChangeTypeChannelAndCountsDistinctEvents()
    {
        var aggregator = new GatewayAggregator(Options());
        // Same item twice in one basket: one event, qty and amount summed; a return line goes to "return".
        aggregator.Add(Basket(T0.AddSeconds(5), Channels.Store, Line(1, 2m, 1.50m), Line(1, 1m, 1.50m, 0.20m), Line(2, -1m, 4m)), T0.AddSeconds(5), 1);
        aggregator.Add(Basket(T0.AddSeconds(30), Channels.Bopis, Line(1, 1m, 1.50m)), T0.AddSeconds(30), 2);
        aggregator.Add(Change(T0.AddSeconds(40), ChangeTypes.Restock, 1, 24m), T0.AddSeconds(40), 3);
        Assert.Empty(aggregator.Seal(T0.AddSeconds(59)));

        var sealedBatches = aggregator.Seal(T0.AddMinutes(4));

        var batch = Assert.Single(sealedBatches).Batch;
        Assert.Equal(1, batch.Seq);
        var sale = Assert.Single(batch.Items, r => r.ItemId == 1 && r.ChangeType == ChangeTypes.Sale);
        Assert.Equal((1, 3m, 4.30m, 0.20m, Channels.Store), (sale.Events, sale.Qty, sale.Amount, sale.Discount, sale.Channel));
        Assert.Equal(T0, sale.WindowStart);
        Assert.Equal(Offset, sale.WindowStart.Offset);
        var ret = Assert.Single(batch.Items, r => r.ChangeType == ChangeTypes.Return);
        Assert.Equal((2L, -1m, -4m), (ret.ItemId, ret.Qty, ret.Amount));
        var bopis = Assert.Single(batch.Items, r => r.ChangeType == ChangeTypes.Bopis);
        Assert.Equal(1m, bopis.Qty);
        var restock = Assert.Single(batch.Items, r => r.ChangeType == ChangeTypes.Restock);
        Assert.Null(restock.Channel);
        Assert.Equal(24m, restock.Qty);
        Assert.Equal(2, batch.Baskets.Count);
        Assert.Equal(0.30m, batch.Baskets[0].Amount);
        // Running inventory: never counted, sum of effects: -3 (sale) -1 (bopis) +24 (restock).
        Assert.Equal(20m, batch.Inventory.Single(r => r.ItemId == 1).Position);
        Assert.Equal(1m, batch.Inventory.Single(r => r.ItemId == 2).Position);
        Assert.Equal([1L, 2L, 3L], sealedBatches[0].EventTags);
    }

    [Fact]
    public void Seal_TenSecondWindows_SealSecondsAfterTheirEnd_OneRowPerWindow()
    {
        var settings = GatewaySettings.Default with { Window = TimeSpan.FromSeconds(10) };
        var aggregator = new GatewayAggregator(Options(settings));
        aggregator.Add(Basket(T0.AddSeconds(3), Channels.Store, Line(1, 1m, 2m)), T0.AddSeconds(3), 1);
        aggregator.Add(Basket(T0.AddSeconds(12), Channels.Store, Line(1, 2m, 2m)), T0.AddSeconds(12), 2);

        // the first window [0, 10) seals once the watermark passes its end plus the grace; the second is still open
        var first = Assert.Single(aggregator.Seal(T0.AddSeconds(10) + settings.SealGrace + TimeSpan.FromSeconds(1))).Batch;
        var row = Assert.Single(first.Items);
        Assert.Equal((T0, 1m, 10), (row.WindowStart, row.Qty, first.WindowSeconds));

        var second = Assert.Single(aggregator.Seal(T0.AddSeconds(20) + settings.SealGrace + TimeSpan.FromSeconds(1))).Batch;
        Assert.Equal((T0.AddSeconds(10), 2m), (second.Items.Single().WindowStart, second.Items.Single().Qty));
    }

    [Fact]
    public void Seal_BasketWithSaleAndReturnOfOneItem_CountsTheBasketOnceForThatItem()
    {
        var aggregator = new GatewayAggregator(Options());
        // one basket sells item 7 and takes one back; a second basket only returns it; a third sells item 8 twice and returns one
        aggregator.Add(Basket(T0.AddSeconds(5), Channels.Store, Line(7, 2m, 3m), Line(9, 1m, 1m), Line(7, -1m, 3m)), T0.AddSeconds(5), 1);
        aggregator.Add(Basket(T0.AddSeconds(15), Channels.Store, Line(7, -1m, 3m)), T0.AddSeconds(15), 2);
        aggregator.Add(Basket(T0.AddSeconds(25), Channels.Store, Line(8, -1m, 2m), Line(8, 1m, 2m), Line(8, 1m, 2m)), T0.AddSeconds(25), 3);

        var batch = aggregator.Seal(T0.AddMinutes(4)).Single().Batch;

        // Σ events over the item's rows is the number of baskets holding the item (ARCHITECTURE §9 transactions)
        Assert.Equal(2, batch.Items.Where(r => r.ItemId == 7).Sum(r => r.Events));
        Assert.Equal(1, batch.Items.Where(r => r.ItemId == 8).Sum(r => r.Events));
        // the quantities and amounts still go to the row of their own change type
        Assert.Equal((2m, 6m), batch.Items.Where(r => r.ItemId == 7 && r.ChangeType == ChangeTypes.Sale).Select(r => (r.Qty, r.Amount)).Single());
        Assert.Equal((-2m, -6m), batch.Items.Where(r => r.ItemId == 7 && r.ChangeType == ChangeTypes.Return).Select(r => (r.Qty, r.Amount)).Single());
        Assert.Equal(2m, batch.Items.Single(r => r.ItemId == 8 && r.ChangeType == ChangeTypes.Sale).Qty);
    }

    [Fact]
    public void Seal_LateEventAfterWindowClosed_AddsAnotherPartialRow()
    {
        var aggregator = new GatewayAggregator(Options());
        aggregator.Add(Basket(T0.AddSeconds(10), Channels.Store, Line(5, 1m, 2m)), T0.AddSeconds(10), 1);
        var first = aggregator.Seal(T0.AddMinutes(4)).Single().Batch;
        aggregator.Add(Basket(T0.AddSeconds(20), Channels.Store, Line(5, 2m, 2m)), T0.AddMinutes(10), 2);
        var second = aggregator.Seal(T0.AddMinutes(12)).Single().Batch;

        Assert.Equal(2, second.Seq);
        var rows = first.Items.Concat(second.Items).Where(r => r.ItemId == 5).ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(T0, r.WindowStart));
        Assert.Equal(3m, rows.Sum(r => r.Qty));
        Assert.Equal(2, rows.Sum(r => r.Events));
    }

    [Fact]
    public void Seal_Defaults_SealsOnceWatermarkPassesWindowEndPlusGraceWhateverTheLateness()
    {
        var aggregator = new GatewayAggregator(Options(GatewaySettings.Default with { AllowedLateness = TimeSpan.FromSeconds(120), SealGrace = TimeSpan.FromSeconds(5) }));
        aggregator.Add(Basket(T0.AddSeconds(10), Channels.Store, Line(5, 1m, 2m)), T0.AddSeconds(10), 1);
        Assert.Empty(aggregator.Seal(T0.AddSeconds(64)));
        Assert.Equal(1, aggregator.OpenWindowCount);
        // Send interval 0 (the default): the rows go out in the same step that seals them.
        Assert.Single(aggregator.Seal(T0.AddSeconds(65)));
        Assert.Equal(0, aggregator.OpenWindowCount);
    }

    [Fact]
    public void Add_OlderThanAllowedLateness_FlaggedLateYetAggregatedAndSent()
    {
        var aggregator = new GatewayAggregator(Options(GatewaySettings.Default with { AllowedLateness = TimeSpan.FromSeconds(120) }));

        Assert.False(aggregator.Add(Basket(T0.AddSeconds(10), Channels.Store, Line(5, 1m, 2m)), T0.AddSeconds(130), 1));
        Assert.True(aggregator.Add(Basket(T0.AddSeconds(20), Channels.Store, Line(5, 2m, 2m)), T0.AddSeconds(141), 2));

        var batch = aggregator.Seal(T0.AddMinutes(10)).Single();
        Assert.Equal(3m, batch.Batch.Items.Single().Qty);
        Assert.Equal([1L, 2L], batch.EventTags);
    }

    [Fact]
    public void Seal_EventAfterItsWindowSealed_WaitsForTheNextOnTimeBatchAsAnotherPartialRow()
    {
        var aggregator = new GatewayAggregator(Options());
        aggregator.Add(Basket(T0.AddSeconds(50), Channels.Store, Line(5, 1m, 2m)), T0.AddSeconds(50), 1);
        var first = aggregator.Seal(T0.AddSeconds(65)).Single().Batch;
        // A lane 20 s behind: its event of the first window arrives after that window was sealed.
        aggregator.Add(Basket(T0.AddSeconds(55), Channels.Store, Line(5, 2m, 2m)), T0.AddSeconds(75), 2);
        aggregator.Add(Basket(T0.AddSeconds(80), Channels.Store, Line(6, 1m, 3m)), T0.AddSeconds(80), 3);
        Assert.Empty(aggregator.Seal(T0.AddSeconds(76)));

        var second = aggregator.Seal(T0.AddSeconds(125)).Single();

        Assert.Equal(2, second.Batch.Seq);
        var partial = second.Batch.Items.Single(r => r.ItemId == 5);
        Assert.Equal((T0, 2m), (partial.WindowStart, partial.Qty));
        Assert.Equal(3m, first.Items.Concat(second.Batch.Items).Where(r => r.ItemId == 5).Sum(r => r.Qty));
        Assert.Equal(T0.AddMinutes(1), second.Batch.Items.Single(r => r.ItemId == 6).WindowStart);
        Assert.Equal([2L, 3L], second.EventTags.Order());
    }

    [Fact]
    public void Seal_OnlyLateRows_GoOutWithinOneWindowLength()
    {
        var aggregator = new GatewayAggregator(Options());
        aggregator.Add(Basket(T0.AddSeconds(50), Channels.Store, Line(5, 1m, 2m)), T0.AddSeconds(50), 1);
        Assert.Single(aggregator.Seal(T0.AddSeconds(65)));
        aggregator.Add(Basket(T0.AddSeconds(55), Channels.Store, Line(5, 2m, 2m)), T0.AddSeconds(90), 2);

        Assert.Empty(aggregator.Seal(T0.AddSeconds(149)));
        Assert.Single(aggregator.Seal(T0.AddSeconds(150)));
    }

    [Fact]
    public void Seal_BacklogOfWindowsNeverSealed_GoesOutAtOnceNotAsLateRows()
    {
        var aggregator = new GatewayAggregator(Options());
        // The gateway was down for an hour; the lanes' buffered events arrive now.
        for (var i = 0; i < 30; i++)
        {
            aggregator.Add(Basket(T0.AddMinutes(i), Channels.Store, Line(5, 1m, 2m)), T0.AddHours(1), i);
        }

        var batch = aggregator.Seal(T0.AddHours(1)).Single();

        Assert.Equal(30, batch.Batch.Items.Count);
        Assert.Equal(0, aggregator.OpenWindowCount);
    }

    [Fact]
    public void Close_JobEncodedLater_SameBatchesAsSealAndTheAggregatorGoesOn()
    {
        var direct = new GatewayAggregator(Options(), nextSeq: 9);
        var split = new GatewayAggregator(Options(), nextSeq: 9);
        var basket = Basket(T0.AddSeconds(5), Channels.Store, Line(1, 2m, 1.5m));
        foreach (var aggregator in new[] { direct, split })
        {
            aggregator.Add(basket, T0.AddSeconds(5), 1);
            aggregator.AddReject("bad_timestamp", "{}", T0.AddSeconds(6), 4);
        }

        var expected = direct.Seal(T0.AddMinutes(3));
        var job = split.Close(T0.AddMinutes(3))!;
        // Events added after the close belong to new windows; the job is not affected.
        split.Add(Basket(T0.AddSeconds(7), Channels.Store, Line(1, 5m, 1.5m)), T0.AddMinutes(3), 2);
        var actual = job.Encode(9);

        Assert.Equal(expected.Select(b => Convert.ToBase64String(b.Json)), actual.Select(b => Convert.ToBase64String(b.Json)));
        Assert.Equal(1, split.OpenWindowCount);
        Assert.Null(split.Close(T0.AddMinutes(3)));
    }

    [Fact]
    public void Seal_WeighingsAndSnapshots_AggregatedAndPassedThrough()
    {
        var aggregator = new GatewayAggregator(Options());
        aggregator.Add(Weighing(T0.AddSeconds(1), 9, 0.5m, 3.99m), T0, 1);
        aggregator.Add(Weighing(T0.AddSeconds(2), 9, 0.25m, 3.99m, tare: -0.1m), T0, 2);
        aggregator.Add(Count(T0.AddSeconds(3), (9, 12m), (10, 4m)), T0, 3);

        var batch = aggregator.Seal(T0, force: true).Single().Batch;

        var weighing = Assert.Single(batch.Weighings);
        Assert.Equal((2, 0.75m, 2.00m + 1.00m, 1), (weighing.Count, weighing.NetKg, weighing.Amount, weighing.TareAnomalies));
        Assert.Equal(2, batch.Snapshots.Count);
        Assert.Equal(12m, batch.Inventory.Single(r => r.ItemId == 9).Position);
    }

    [Fact]
    public void Seal_ManyRows_CutsBatchesNearTargetWithGapFreeSeq()
    {
        var settings = GatewaySettings.Default with { MaxBatchBytes = 16 * 1024 };
        var aggregator = new GatewayAggregator(Options(settings), nextSeq: 41);
        for (var i = 0; i < 3000; i++)
        {
            aggregator.Add(Basket(T0.AddMilliseconds(i * 10), Channels.Store, Line(1000 + i, 1m, 2.5m)), T0, i);
        }

        var sealedBatches = aggregator.Seal(T0.AddMinutes(5));

        Assert.True(sealedBatches.Count > 5);
        Assert.Equal(Enumerable.Range(41, sealedBatches.Count).Select(i => (long)i), sealedBatches.Select(b => b.Batch.Seq));
        Assert.All(sealedBatches, b => Assert.InRange(b.Json.Length, 1, settings.MaxBatchBytes + 1024));
        Assert.Equal(3000, sealedBatches.Sum(b => b.Batch.Items.Count));
        Assert.Equal(3000, sealedBatches.Sum(b => b.EventTags.Count));
        Assert.Equal(42, aggregator.NextSeq - sealedBatches.Count + 1);
        // Every body decodes back to the same rows.
        var decoded = TelemetryBatchCodec.Decode(sealedBatches[0].Json, null);
        Assert.True(decoded.IsValid, decoded.Detail);
        Assert.Equal(sealedBatches[0].Batch.Items.Count, decoded.Batch!.Items.Count);
    }

    [Fact]
    public void Seal_SendIntervalNotReached_WaitsThenSeals()
    {
        var settings = GatewaySettings.Default with { AllowedLateness = TimeSpan.Zero, SendInterval = TimeSpan.FromSeconds(300) };
        var aggregator = new GatewayAggregator(Options(settings));
        aggregator.Add(Basket(T0.AddSeconds(1), Channels.Store, Line(1, 1m, 1m)), T0.AddSeconds(1), 1);
        Assert.Empty(aggregator.Seal(T0.AddSeconds(120)));
        Assert.Equal(1, aggregator.PendingRowCount + aggregator.OpenWindowCount > 0 ? 1 : 0);
        Assert.Single(aggregator.Seal(T0.AddSeconds(301)));
    }

    [Fact]
    public void Add_PriceBeyondTolerance_SealsPriceMismatchAlertAtOnce()
    {
        var reference = Catalog((1, 2.00m, 0m), (2, 5.00m, 0m));
        var aggregator = new GatewayAggregator(Options(), 1, reference);
        aggregator.Add(Basket(T0, Channels.Store, Line(1, 1m, 2.01m), Line(2, 1m, 5.50m)), T0, 77);

        var sealedBatches = aggregator.Seal(T0);

        var alertBatch = Assert.Single(sealedBatches);
        Assert.True(alertBatch.IsAlert);
        var alert = Assert.Single(alertBatch.Batch.Alerts);
        Assert.Equal((AlertKinds.PriceMismatch, 2L, "5.50", "5.00"), (alert.Kind, alert.ItemId!.Value, alert.Detail["posPrice"], alert.Detail["catalogPrice"]));
        Assert.Equal([77L], alertBatch.AlertEventTags);
    }

    [Fact]
    public void Add_PositionCrossesSafetyStock_OneLowStockAlertPerCrossing()
    {
        var reference = Catalog((1, 1m, 0m, 10m));
        var aggregator = new GatewayAggregator(Options(), 1, reference);
        aggregator.Add(Count(T0, (1, 12m)), T0, 1);
        aggregator.Add(Basket(T0.AddSeconds(1), Channels.Store, Line(1, 3m, 1m)), T0, 2); // 9 < 10: alert
        aggregator.Add(Basket(T0.AddSeconds(2), Channels.Store, Line(1, 1m, 1m)), T0, 3); // 8: still below, no alert
        aggregator.Add(Change(T0.AddSeconds(3), ChangeTypes.Restock, 1, 20m), T0, 4); // 28: re-armed
        aggregator.Add(Change(T0.AddSeconds(4), ChangeTypes.Shrink, 1, 20m), T0, 5); // 8: alert again

        var alerts = aggregator.Seal(T0.AddSeconds(5)).Where(b => b.IsAlert).SelectMany(b => b.Batch.Alerts).ToList();

        Assert.Equal(2, alerts.Count);
        Assert.All(alerts, a => Assert.Equal(AlertKinds.LowStock, a.Kind));
        Assert.Equal(["9", "8"], alerts.Select(a => a.Detail["position"]));
    }

    [Fact]
    public void Restore_SealedEvents_RebuildInventoryWithoutRowsOrAlerts()
    {
        var reference = Catalog((1, 1m, 0m, 10m));
        var aggregator = new GatewayAggregator(Options(), 5, reference);
        aggregator.Restore(Count(T0, (1, 12m)));
        aggregator.Restore(Basket(T0.AddSeconds(1), Channels.Store, Line(1, 5m, 9m)));

        Assert.Empty(aggregator.Seal(T0.AddHours(1)));
        Assert.Equal(7m, aggregator.Inventory.PositionOf(1));
        aggregator.Add(Basket(T0.AddSeconds(2), Channels.Store, Line(1, 1m, 1m)), T0.AddHours(1), 1);
        var batch = aggregator.Seal(T0.AddHours(2)).Single().Batch;
        Assert.Equal(5, batch.Seq);
        Assert.Equal(6m, batch.Inventory.Single().Position);
    }

    [Fact]
    public void AddReject_Rejects_CountedByReasonInNextBatch()
    {
        var aggregator = new GatewayAggregator(Options());
        aggregator.AddReject("bad_timestamp", "{\"x\":1}", T0, 3);
        aggregator.AddReject("bad_timestamp", new string('x', 2000), T0, 4);
        aggregator.AddReject("malformed_json", "{", T0, 5);

        var sealedBatch = aggregator.Seal(T0.AddMinutes(2)).Single();

        Assert.Equal(3, sealedBatch.Batch.Rejects.Count);
        Assert.Equal(2, sealedBatch.Batch.Rejects.ByReason["bad_timestamp"]);
        Assert.All(sealedBatch.Batch.Rejects.Samples, s => Assert.True(s.Length <= RejectSummary.MaxSampleChars));
        Assert.Equal([3L, 4L, 5L], sealedBatch.RejectTags);
    }

    [Fact]
    public void Assembly_References_OnlyContractsAndTheBaseLibrary()
    {
        var references = typeof(GatewayAggregator).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("RetailEdge.Contracts", references);
        Assert.All(references, name => Assert.True(name == "RetailEdge.Contracts" || name.StartsWith("System", StringComparison.Ordinal) || name == "netstandard", name));
        Assert.DoesNotContain(references, name => name.Contains("Sqlite", StringComparison.OrdinalIgnoreCase) || name.Contains("Net.Http", StringComparison.OrdinalIgnoreCase) || name.Contains("Net.Sockets", StringComparison.OrdinalIgnoreCase));
    }

    internal static ReferenceCatalog Catalog(params (long Item, decimal Price, decimal Cost, decimal Safety)[] items) =>
        new(new ReferenceDataSet(17, items.Select(i => new ReferenceItem(i.Item, i.Price, i.Cost, i.Safety)).ToList()), "v1");

    internal static ReferenceCatalog Catalog(params (long Item, decimal Price, decimal Cost)[] items) =>
        Catalog(items.Select(i => (i.Item, i.Price, i.Cost, 0m)).ToArray());
}
