using System.Text;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Validation;

namespace RetailEdge.Contracts.Tests;

public class EventValidatorTests
{
    private static readonly DateTimeOffset ReceivedAt = TestEvents.Noon.AddMinutes(1);

    private static ValidationResult Validate(string json, EventValidationOptions? options = null) =>
        new EventValidator(options).Validate(Encoding.UTF8.GetBytes(json), ReceivedAt);

    private static string Basket(string replace, string with) =>
        Encoding.UTF8.GetString(StoreEventJson.Serialize(TestEvents.Basket())).Replace(replace, with, StringComparison.Ordinal);

    [Theory]
    [InlineData("{\"type\":\"basket\",", ReasonCodes.MalformedJson)]
    [InlineData("[1,2]", ReasonCodes.MalformedJson)]
    [InlineData("\"text\"", ReasonCodes.MalformedJson)]
    [InlineData("{\"id\":\"x\"}", "missing_field:type")]
    [InlineData("{\"type\":\"teleport\",\"id\":\"x\"}", ReasonCodes.UnknownType)]
    [InlineData("{\"type\":\"basket\",\"storeId\":17}", "missing_field:id")]
    public void Validate_BrokenDocuments_GiveReason(string json, string reason)
    {
        var result = Validate(json);

        Assert.False(result.IsValid);
        Assert.Equal(reason, result.Reason);
    }

    [Theory]
    [InlineData("\"laneId\":\"lane-03\",", "", "missing_field:laneId")]
    [InlineData("\"storeId\":17,", "", "missing_field:storeId")]
    [InlineData("\"storeId\":17", "\"storeId\":\"17\"", "invalid_field:storeId")]
    [InlineData("\"ts\":\"2026-11-20T12:00:00.000+01:00\"", "\"ts\":\"2026-11-20T12:00:00\"", ReasonCodes.BadTimestamp)]
    [InlineData("\"ts\":\"2026-11-20T12:00:00.000+01:00\"", "\"ts\":\"yesterday noon\"", ReasonCodes.BadTimestamp)]
    [InlineData("\"channel\":\"store\"", "\"channel\":\"drone\"", "invalid_field:channel")]
    [InlineData("\"unitPrice\":1.99", "\"unitPrice\":-1.99", "invalid_field:unitPrice")]
    [InlineData("\"qty\":2,", "", "missing_field:qty")]
    public void Validate_BasketFieldProblems_NameTheField(string replace, string with, string reason)
    {
        var result = Validate(Basket(replace, with));

        Assert.Equal(reason, result.Reason);
        Assert.Equal("b-1", result.EventId);
    }

    [Fact]
    public void Validate_EmptyLines_IsInvalid()
    {
        var json = "{\"type\":\"basket\",\"id\":\"b\",\"storeId\":1,\"ts\":\"2026-11-20T12:00:00Z\",\"laneId\":\"l\",\"channel\":\"store\",\"lines\":[]}";

        Assert.Equal("invalid_field:lines", Validate(json).Reason);
    }

    [Fact]
    public void Validate_OtherStore_IsWrongStore()
    {
        var result = Validate(Basket("\"storeId\":17", "\"storeId\":18"), new EventValidationOptions { ExpectedStoreId = 17 });

        Assert.Equal(ReasonCodes.WrongStore, result.Reason);
    }

    [Fact]
    public void Validate_FutureBeyondTolerance_IsFutureTimestamp_WithinToleranceAccepted()
    {
        var options = new EventValidationOptions { FutureTolerance = TimeSpan.FromMinutes(5) };
        var validator = new EventValidator(options);
        var json = StoreEventJson.Serialize(TestEvents.Basket());

        Assert.True(validator.Validate(json, TestEvents.Noon.AddMinutes(-4)).IsValid);
        Assert.Equal(ReasonCodes.FutureTimestamp, validator.Validate(json, TestEvents.Noon.AddMinutes(-6)).Reason);
    }

    [Fact]
    public void Validate_Oversized_IsTooLargeBeforeParsing()
    {
        var json = "{\"type\":\"basket\",\"pad\":\"" + new string('x', 70_000) + "\"}";

        Assert.Equal(ReasonCodes.TooLarge, Validate(json).Reason);
    }

    [Fact]
    public void Validate_UnknownItem_WhenReferenceLoaded()
    {
        var known = new HashSet<long> { 1001, 1002 };
        var options = new EventValidationOptions { KnownItems = known };

        Assert.Equal(ReasonCodes.UnknownItem, Validate(Encoding.UTF8.GetString(StoreEventJson.Serialize(TestEvents.Basket())), options).Reason);
        Assert.True(Validate(Encoding.UTF8.GetString(StoreEventJson.Serialize(TestEvents.Change())), options).IsValid);
    }

    [Fact]
    public void Validate_InventoryChangeWithSaleType_IsRejected()
    {
        var json = Encoding.UTF8.GetString(StoreEventJson.Serialize(TestEvents.Change())).Replace("restock", "sale", StringComparison.Ordinal);

        Assert.Equal("invalid_field:changeType", Validate(json).Reason);
    }

    [Fact]
    public void Validate_NegativeCount_IsRejected()
    {
        var json = Encoding.UTF8.GetString(StoreEventJson.Serialize(TestEvents.Snapshot())).Replace("\"qty\":40", "\"qty\":-40", StringComparison.Ordinal);

        Assert.Equal("invalid_field:qty", Validate(json).Reason);
    }

    [Fact]
    public void Validate_RandomBytes_NeverThrows()
    {
        var random = new Random(7);
        var seed = StoreEventJson.Serialize(TestEvents.Basket());
        var validator = new EventValidator();
        for (var i = 0; i < 5_000; i++)
        {
            var mutated = (byte[])seed.Clone();
            for (var j = 0; j < 1 + random.Next(4); j++)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }
            var length = random.Next(mutated.Length + 1);
            var result = validator.Validate(mutated.AsSpan(0, length), ReceivedAt);
            Assert.True(result.IsValid || result.Reason is not null);
        }
    }

    [Fact]
    public void Validate_Latin1TextInStringField_IsInvalidUtf8NotAnException()
    {
        // A scale sending its item label in Latin-1: "Jalapeño" with ñ as the single byte 0xF1.
        var utf8 = Encoding.UTF8.GetString(StoreEventJson.Serialize(TestEvents.Weighing()));
        var at = utf8.IndexOf("\"scaleId\":\"", StringComparison.Ordinal) + "\"scaleId\":\"".Length;
        var raw = Encoding.Latin1.GetBytes(utf8[..at] + "Jalape\u00f1o-" + utf8[at..]);

        var result = new EventValidator().Validate(raw, ReceivedAt);

        Assert.False(result.IsValid);
        Assert.Equal(ReasonCodes.InvalidUtf8, result.Reason);
        Assert.Equal($"not UTF-8 at byte {at + "Jalape".Length}", result.Detail);
    }

    [Theory]
    [InlineData("\"storeId\":17,", "\"storeId\":17,\"storeId\":18,")]
    [InlineData("\"storeId\":17,", "\"storeId\":17,\"note\":1,\"note\":2,")]
    [InlineData("\"qty\":2", "\"qty\":2,\"qty\":20")]
    [InlineData("\"storeId\":17,", "\"storeId\":17,\"extra\":{\"a\":1,\"a\":2},")]
    public void Validate_PropertyNamedTwice_IsDuplicateKey(string replace, string with)
    {
        var json = Basket(replace, with);
        Assert.NotEqual(Basket(replace, replace), json);

        var strict = Validate(json);
        var lenient = Validate(json, new EventValidationOptions { ExpectedStoreId = 18, RejectDuplicateKeys = false });

        Assert.Equal(ReasonCodes.DuplicateKey, strict.Reason);
        // Only re-reading what was journaled before the rule lets the last one win.
        Assert.True(lenient.IsValid || lenient.Reason == ReasonCodes.WrongStore, lenient.Reason);
    }
}
