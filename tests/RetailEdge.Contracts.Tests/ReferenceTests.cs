using System.Buffers;
using System.Text;
using System.Text.Json;
using RetailEdge.Contracts.Reference;

namespace RetailEdge.Contracts.Tests;

public class ReferenceTests
{
    private static ReferenceDataSet Set(int items) =>
        new(17, Enumerable.Range(1, items).Select(i => new ReferenceItem(i, 1.99m + i, 1.20m + i, i % 7)).ToList());

    [Fact]
    public void Csv_RoundTripsAllTables_WithQuoting()
    {
        var stores = new[] { new StoreReference(17, "Main St, \"Downtown\"", "north", "Europe/Paris", "store017-gw") };
        var items = new[] { new ItemReference(1001, "Apples, Gala", "produce", 4, 12.5m, "kg", 3.49m, 2.10m) };

        Assert.Equal(stores, ReferenceCsv.ParseStores(ReferenceCsv.FormatStores(stores)));
        Assert.Equal(items, ReferenceCsv.ParseItems(ReferenceCsv.FormatItems(items)));
        Assert.Equal([new ChangeTypeReference(1, "sale")], ReferenceCsv.ParseChangeTypes(ReferenceCsv.FormatChangeTypes([new ChangeTypeReference(1, "sale")])));
        Assert.Equal([new AssortmentEntry(17, 1001)], ReferenceCsv.ParseAssortment(ReferenceCsv.FormatAssortment([new AssortmentEntry(17, 1001)])));
    }

    [Fact]
    public void Csv_WrongHeaderOrFieldCount_IsFormatError()
    {
        Assert.Throws<FormatException>(() => ReferenceCsv.ParseStores("id,name\n1,x\n"));
        Assert.Throws<FormatException>(() => ReferenceCsv.ParseStores(ReferenceCsv.StoreHeader + "\n1,x\n"));
    }

    [Fact]
    public void Codec_RoundTripsAndIsDeterministic()
    {
        var payload = ReferenceDataCodec.Serialize(Set(500));

        Assert.Equal(payload, ReferenceDataCodec.Serialize(Set(500)));
        var back = ReferenceDataCodec.Deserialize(payload);
        Assert.Equal(Set(500).Items, back.Items);
        Assert.Equal(16, ReferenceDataCodec.VersionOf(payload).Length);
        Assert.Throws<FormatException>(() => ReferenceDataCodec.Deserialize(Encoding.UTF8.GetBytes("plain")));
    }

    [Fact]
    public void Pointer_SmallSetInline_FitsTwinLimitsAndRoundTrips()
    {
        var payload = ReferenceDataCodec.Serialize(Set(200));
        Assert.True(ReferenceDataPointer.FitsInline(payload));
        var pointer = ReferenceDataPointer.Inline(payload);

        var json = Write(pointer);
        using var document = JsonDocument.Parse(json);
        var (parsed, error) = ReferenceDataPointer.Parse(document.RootElement);

        Assert.Null(error);
        Assert.True(parsed!.IsInline);
        Assert.True(parsed.Verify(parsed.InlinePayload()!));
        Assert.All(document.RootElement.GetProperty("chunks").EnumerateObject(), c => Assert.True(c.Value.GetString()!.Length <= 4096));
        Assert.True(json.Length < 32 * 1024);
    }

    [Fact]
    public void Pointer_LargeSet_GoesByUrl_AndVerifyDetectsTampering()
    {
        var payload = ReferenceDataCodec.Serialize(Set(20_000));
        Assert.False(ReferenceDataPointer.FitsInline(payload));
        var pointer = ReferenceDataPointer.Remote(payload, new Uri("https://example.blob.core.windows.net/ref/17.bin"));
        using var document = JsonDocument.Parse(Write(pointer));
        var (parsed, error) = ReferenceDataPointer.Parse(document.RootElement);

        Assert.Null(error);
        Assert.True(parsed!.Verify(payload));
        payload[10] ^= 1;
        Assert.False(parsed.Verify(payload));
    }

    [Fact]
    public void Serialize_SameValuesWithOtherDecimalScale_SameBytes()
    {
        var set = new ReferenceDataSet(3, [new ReferenceItem(1, 1.99m, 1.2m, 4m), new ReferenceItem(2, 2.5m, 1m, 0m)]);
        var scaled = new ReferenceDataSet(3, [new ReferenceItem(1, 1.9900m, 1.2000m, 4.000m), new ReferenceItem(2, 2.5000m, 1.0000m, 0.000m)]);

        Assert.Equal(ReferenceDataCodec.Serialize(set), ReferenceDataCodec.Serialize(scaled));
    }

    [Theory]
    [InlineData("{\"sha256\":\"abc\",\"bytes\":1,\"url\":\"https://x/y\"}", "sha256")]
    [InlineData("{\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"bytes\":-1,\"url\":\"https://x/y\"}", "bytes")]
    [InlineData("{\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"bytes\":1,\"url\":\"file://fileserver/share/set.gz\"}", "url")]
    [InlineData("{\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"bytes\":1,\"url\":\"ftp://127.0.0.1/x\"}", "url")]
    [InlineData("{\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"bytes\":1,\"url\":\"http://10.0.0.1/x\"}", "url")]
    [InlineData("{\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"bytes\":1,\"chunks\":{\"c001\":\"AA==\"}}", "chunks")]
    [InlineData("[]", "object")]
    public void Pointer_BadTwinValues_AreRejectedWithReason(string json, string mentions)
    {
        using var document = JsonDocument.Parse(json);
        var (pointer, error) = ReferenceDataPointer.Parse(document.RootElement);

        Assert.Null(pointer);
        Assert.Contains(mentions, error, StringComparison.Ordinal);
    }

    private static string Write(ReferenceDataPointer pointer)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            pointer.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
