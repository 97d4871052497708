using RetailEdge.Contracts.Events;
using RetailEdge.Simulator;

namespace RetailEdge.Simulator.Tests;

public sealed class EventJsonWriterTests
{
    public static TheoryData<string> Offsets => ["+01:00", "-05:00", "+00:00", "+05:45", "-09:30"];

    [Theory]
    [MemberData(nameof(Offsets))]
    public void Serialize_EveryEventType_SameBytesAsContractWriter(string offsetText)
    {
        var offset = TimeSpan.Parse(offsetText.TrimStart('+'), System.Globalization.CultureInfo.InvariantCulture);
        var ts = new DateTimeOffset(2026, 1, 5, 7, 8, 9, 45, offset);
        StoreEvent[] events =
        [
            new BasketEvent
            {
                Id = "b-1", StoreId = 17, Ts = ts, LaneId = "lane-01", Channel = Channels.Store, CustomerId = "C017-00001", Tender = "card",
                Lines = [new BasketLine(100001, 2m, 2.50m, 0.75m), new BasketLine(100002, -1m, 10m), new BasketLine(100003, 0.435m, 12.99m)],
            },
            new BasketEvent { Id = "b-2", StoreId = 1, Ts = ts, LaneId = "web", Channel = Channels.Online, Lines = [new BasketLine(5, 1m, 0.01m)] },
            new WeighingEvent { Id = "w-1", StoreId = 999, Ts = ts, ScaleId = "scale-2", ItemId = 100004, NetKg = 1.000m, PricePerKg = 3.49m, TareKg = -0.012m, LabelPrinted = false },
            new WeighingEvent { Id = "w-2", StoreId = 2, Ts = ts, ScaleId = "scale-1", ItemId = 7, NetKg = 0.05m, PricePerKg = 0m, LabelPrinted = true },
            new InventoryChangeEvent { Id = "c-1", StoreId = 3, Ts = ts, ChangeType = ChangeTypes.Shrink, Lines = [new InventoryLine(1, -2.5m), new InventoryLine(2, -1m)], Reason = "system correction" },
            new InventoryChangeEvent { Id = "c-2", StoreId = 3, Ts = ts, ChangeType = ChangeTypes.Restock, Lines = [new InventoryLine(1, 240m)] },
            new InventorySnapshotEvent { Id = "s-1", StoreId = 4, Ts = ts, EmployeeId = "E004-01", Counts = [new InventoryLine(1, 0m), new InventoryLine(2, 12.345m)] },
            new InventorySnapshotEvent { Id = "s-2", StoreId = 4, Ts = ts, Counts = [new InventoryLine(long.MaxValue, 79228162514264337593543950335m)] },
        ];
        var writer = new EventJsonWriter();
        foreach (var storeEvent in events)
        {
            Assert.Equal(StoreEventJson.Serialize(storeEvent), writer.Serialize(storeEvent));
        }
    }

    [Theory]
    [InlineData("Oak & Co")]
    [InlineData("quote \" and \\ backslash")]
    [InlineData("naïve")]
    [InlineData("<tag>")]
    [InlineData("tab\there")]
    public void Serialize_StringsTheEncoderEscapes_FallsBackToTheSameBytes(string text)
    {
        var ts = new DateTimeOffset(2026, 11, 2, 12, 0, 0, TimeSpan.FromHours(-6));
        var writer = new EventJsonWriter();
        StoreEvent[] events =
        [
            new InventoryChangeEvent { Id = "c-1", StoreId = 3, Ts = ts, ChangeType = ChangeTypes.Adjustment, Lines = [new InventoryLine(1, 1m)], Reason = text },
            new BasketEvent { Id = text, StoreId = 1, Ts = ts, LaneId = "lane-01", Channel = Channels.Store, Lines = [new BasketLine(5, 1m, 1m)] },
            new BasketEvent { Id = "b", StoreId = 1, Ts = ts, LaneId = "lane-01", Channel = Channels.Store, CustomerId = text, Lines = [new BasketLine(5, 1m, 1m)] },
        ];
        foreach (var storeEvent in events)
        {
            Assert.Equal(StoreEventJson.Serialize(storeEvent), writer.Serialize(storeEvent));
        }
    }

    [Theory]
    [InlineData("1")]
    [InlineData("-1")]
    [InlineData("2.50")]
    [InlineData("0.435")]
    [InlineData("-0.012")]
    [InlineData("0.05")]
    [InlineData("1.000")]
    [InlineData("0.00")]
    [InlineData("0")]
    [InlineData("4294967295")]
    [InlineData("4294967296")]
    [InlineData("0.000000001")]
    [InlineData("0.0000000001")]
    [InlineData("123456.789")]
    [InlineData("-79228162514264337593543950335")]
    public void Serialize_Decimals_SameDigitsAsContractWriter(string text)
    {
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        var ts = new DateTimeOffset(2026, 11, 2, 12, 0, 0, TimeSpan.FromHours(-5));
        var change = new InventoryChangeEvent { Id = "c", StoreId = 1, Ts = ts, ChangeType = ChangeTypes.Adjustment, Lines = [new InventoryLine(1, value), new InventoryLine(2, -value)] };
        Assert.Equal(StoreEventJson.Serialize(change), new EventJsonWriter().Serialize(change));
    }

    [Fact]
    public void Serialize_BasketWithThousandsOfLines_GrowsBuffer()
    {
        var ts = new DateTimeOffset(2026, 11, 2, 12, 0, 0, TimeSpan.Zero);
        var basket = new BasketEvent
        {
            Id = "big", StoreId = 1, Ts = ts, LaneId = "lane-01", Channel = Channels.Store,
            Lines = Enumerable.Range(0, 5000).Select(i => new BasketLine(i, -123456.789m, 99999.99m, 12345.67m)).ToList(),
        };
        var json = new EventJsonWriter().Serialize(basket);
        Assert.True(json.Length > 64 * 1024);
        Assert.Equal(StoreEventJson.Serialize(basket), json);
    }
}
