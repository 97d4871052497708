using System.Text;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Validation;

namespace RetailEdge.Contracts.Tests;

public class StoreEventJsonTests
{
    private static readonly EventValidator Validator = new();

    public static TheoryData<string> EventTypes() => new(StoreEventTypes.All);

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void Serialize_ThenValidate_RoundTripsEveryType(string type)
    {
        var original = TestEvents.All().Single(e => e.Type == type);
        var json = StoreEventJson.Serialize(original);

        var result = Validator.Validate(json, original.Ts.AddMinutes(1));

        Assert.True(result.IsValid, result.Reason + " " + result.Detail);
        // records with list members compare lists by reference: compare the canonical JSON instead
        Assert.Equal(Encoding.UTF8.GetString(json), Encoding.UTF8.GetString(StoreEventJson.Serialize(result.Event!)));
        Assert.Equal(original.GetType(), result.Event!.GetType());
        Assert.Equal(original.Ts, result.Event.Ts);
        Assert.Equal(original.Ts.Offset, result.Event.Ts.Offset);
    }

    [Fact]
    public void Serialize_Basket_WritesTypeFirstAndKeepsOffset()
    {
        var json = Encoding.UTF8.GetString(StoreEventJson.Serialize(TestEvents.Basket()));

        Assert.StartsWith("{\"type\":\"basket\",\"id\":\"b-1\",\"storeId\":17,\"ts\":\"2026-11-20T12:00:00.000+01:00\"", json, StringComparison.Ordinal);
        Assert.Contains("\"discount\":0.50", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_SameEventTwice_GivesSameBytes()
    {
        Assert.Equal(StoreEventJson.Serialize(TestEvents.Basket()), StoreEventJson.Serialize(TestEvents.Basket()));
    }

    [Fact]
    public void BasketAmount_FollowsTheMoneyRule()
    {
        // 2 × 1.99 = 3.98; −1 × 3.50 = −3.50; round(1.235 × 4.99 = 6.16265, 2) = 6.16 − 0.50 = 5.66
        Assert.Equal(3.98m - 3.50m + 5.66m, TestEvents.Basket().Amount);
        Assert.Equal(0.01m, Money.Round2(0.005m));
        Assert.Equal(-0.01m, Money.Round2(-0.005m));
    }

    [Fact]
    public void LocalDate_UsesTheEventsOwnOffset()
    {
        var lateEvening = TestEvents.Change() with { Ts = new DateTimeOffset(2026, 11, 20, 23, 30, 0, TimeSpan.FromHours(-5)) };

        Assert.Equal(new DateOnly(2026, 11, 20), lateEvening.LocalDate);
        Assert.Equal(new DateOnly(2026, 11, 21), lateEvening.Ts.UtcDateTime is var utc ? DateOnly.FromDateTime(utc) : default);
    }

    [Fact]
    public void ChangeTypes_SignsFollowTheArchitecture()
    {
        Assert.Equal(ChangeTypes.Bopis, ChangeTypes.ForBasketLine(Channels.Bopis, 1m));
        Assert.Equal(ChangeTypes.Return, ChangeTypes.ForBasketLine(Channels.Store, -1m));
        Assert.Equal(ChangeTypes.Sale, ChangeTypes.ForBasketLine(Channels.Online, 2m));
        Assert.Equal(-2m, ChangeTypes.StockEffectOfBasketLine(2m));
        Assert.Equal(1m, ChangeTypes.StockEffectOfBasketLine(-1m));
        Assert.Equal(5m, ChangeTypes.StockEffectOfChangeLine(ChangeTypes.Restock, 5m));
        Assert.Equal(-3m, ChangeTypes.StockEffectOfChangeLine(ChangeTypes.Shrink, 3m));
        Assert.Equal(-3m, ChangeTypes.StockEffectOfChangeLine(ChangeTypes.Shrink, -3m));
        Assert.Equal(-4m, ChangeTypes.StockEffectOfChangeLine(ChangeTypes.Adjustment, -4m));
        Assert.Equal(1, ChangeTypes.IdOf(ChangeTypes.Sale));
        Assert.Equal(6, ChangeTypes.IdOf(ChangeTypes.Adjustment));
    }

    [Fact]
    public void FormatTimestampUtf8_SameAsTheFormatString()
    {
        var random = new Random(42);
        var utf8 = new byte[StoreEventJson.TimestampLength];
        var values = new List<DateTimeOffset>
        {
            new(1, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(9999, 12, 31, 23, 59, 59, 999, TimeSpan.Zero).AddTicks(9999),
            new(2026, 11, 20, 12, 0, 0, TimeSpan.FromMinutes(-210)), new(2026, 3, 29, 2, 30, 0, TimeSpan.FromHours(14)),
            new(2026, 3, 29, 2, 30, 0, TimeSpan.FromHours(-14)), new(999, 5, 6, 7, 8, 9, TimeSpan.FromMinutes(345)),
        };
        for (var i = 0; i < 20_000; i++)
        {
            var offset = TimeSpan.FromMinutes(random.Next(-14 * 60, 14 * 60 + 1));
            var ticks = random.NextInt64(DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay);
            values.Add(new DateTimeOffset(new DateTime(ticks), offset));
        }
        foreach (var value in values)
        {
            StoreEventJson.FormatTimestampUtf8(value, utf8);
            Assert.Equal(StoreEventJson.FormatTimestamp(value), Encoding.UTF8.GetString(utf8));
        }
    }
}
