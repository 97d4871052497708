using System.IO.Compression;
using System.Text;
using System.Text.Json;
using RetailEdge.Contracts.Telemetry;

namespace RetailEdge.Contracts.Tests;

public class TelemetryBatchCodecTests
{
    private static readonly DateTimeOffset Window = new(2026, 11, 20, 9, 1, 0, TimeSpan.FromHours(1));

    internal static TelemetryBatch Sample(int items = 3) => new()
    {
        StoreId = 17,
        Gateway = "store017-gw",
        Seq = 4711,
        CreatedAt = Window.AddSeconds(62),
        Items = Enumerable.Range(0, items).Select(i => new ItemWindowRow(Window, 1000 + i, "sale", "store", 2, 3.5m, 12.34m + i, 0.10m)).ToList(),
        Baskets = [new BasketSummaryRow("b-1", Window.AddSeconds(5), "lane-01", "store", null, 3, 4m, 10.50m)],
        Weighings = [new WeighingWindowRow(Window, "scale-1", 2001, 4, 2.345m, 8.19m, 1)],
        Snapshots = [new SnapshotRow("s-1", Window.AddSeconds(9), 1000, 12m, "E1")],
        Inventory = [new InventoryPositionRow(1000, Window.AddSeconds(50), 8.5m, Window.AddSeconds(9), 12m), new InventoryPositionRow(1001, Window.AddSeconds(50), -3m, null, null)],
        Alerts = [new TelemetryAlert("low_stock", Window.AddSeconds(50), 1000, new Dictionary<string, string> { ["position"] = "8.5", ["safetyStock"] = "10" })],
        Rejects = new RejectSummary(3, new Dictionary<string, int> { ["bad_timestamp"] = 2, ["duplicate"] = 1 }, ["{\"type\":\"basket\""]),
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EncodeDecode_RoundTripsEverySection(bool gzip)
    {
        var batch = Sample();
        var body = TelemetryBatchCodec.Encode(batch, gzip);

        var decoded = TelemetryBatchCodec.Decode(body, gzip ? "gzip" : "utf-8");

        Assert.True(decoded.IsValid, decoded.Reason + " " + decoded.Detail);
        // re-encoding the decoded batch gives the same JSON: nothing lost or reordered
        Assert.Equal(Encoding.UTF8.GetString(TelemetryBatchCodec.EncodeJson(batch)), Encoding.UTF8.GetString(TelemetryBatchCodec.EncodeJson(decoded.Batch!)));
        Assert.Equal(batch.Items.Sum(i => i.Amount), decoded.Batch!.Items.Sum(i => i.Amount));
        Assert.Null(decoded.Batch.Inventory[1].LastCountAt);
    }

    [Fact]
    public void EncodeJson_AfterALargerBatchOnTheSameThread_LeavesNothingOfItBehind()
    {
        // The encoding buffer is reused per thread: a small batch after a large one must come out alone and whole.
        var small = Sample(items: 1);
        var alone = TelemetryBatchCodec.EncodeJson(small);
        TelemetryBatchCodec.EncodeJson(Sample(items: 800));

        var after = TelemetryBatchCodec.EncodeJson(small);

        Assert.Equal(alone, after);
        var decoded = TelemetryBatchCodec.Decode(after, "utf-8");
        Assert.True(decoded.IsValid, decoded.Reason + " " + decoded.Detail);
        Assert.Single(decoded.Batch!.Items);
    }

    [Fact]
    public void Encode_ColumnarAndCompressed_IsMuchSmallerThanJson()
    {
        var batch = Sample(items: 800);
        var json = TelemetryBatchCodec.EncodeJson(batch);
        var gzip = TelemetryBatchCodec.Encode(batch, gzip: true);

        Assert.True(gzip.Length * 4 < json.Length, $"gzip {gzip.Length} vs json {json.Length}");
        Assert.StartsWith("{\"schema\":\"retailedge.telemetry/1\",\"storeId\":17,\"gateway\":\"store017-gw\"", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RoutedSampleFile_ReadsBothEncodings()
    {
        var path = Path.Combine(RetailEdge.Testing.RepoPaths.Shared, "data", "iothub-routing", "myhub_00_2026_11_20_08_01.json");
        var lines = File.ReadAllLines(path);
        var results = new List<TelemetryDecodeResult>();
        foreach (var line in lines)
        {
            using var record = JsonDocument.Parse(line);
            var system = record.RootElement.GetProperty("SystemProperties");
            var encoding = system.TryGetProperty("contentEncoding", out var ce) ? ce.GetString() : null;
            var body = record.RootElement.GetProperty("Body");
            results.Add(body.ValueKind == JsonValueKind.String
                ? TelemetryBatchCodec.Decode(Convert.FromBase64String(body.GetString()!), encoding)
                : TelemetryBatchCodec.Decode(body));
        }

        Assert.Equal(3, results.Count);
        Assert.True(results[0].IsValid, results[0].Detail);
        Assert.Equal(4711, results[0].Batch!.Seq);
        Assert.True(results[1].IsValid, results[1].Detail);
        Assert.False(results[2].IsValid);
    }

    [Fact]
    public void Decode_GzipDeclaredButPlain_IsNotGzip()
    {
        var result = TelemetryBatchCodec.Decode(TelemetryBatchCodec.EncodeJson(Sample()), "gzip");

        Assert.Equal(TelemetryReasonCodes.NotGzip, result.Reason);
    }

    [Fact]
    public void Decode_UnknownSchema_IsRejected()
    {
        var json = Encoding.UTF8.GetString(TelemetryBatchCodec.EncodeJson(Sample())).Replace("telemetry/1", "telemetry/9", StringComparison.Ordinal);

        Assert.Equal(TelemetryReasonCodes.UnknownSchema, TelemetryBatchCodec.Decode(Encoding.UTF8.GetBytes(json), "utf-8").Reason);
    }

    [Fact]
    public void Decode_InvalidUtf8InsideTheSchemaString_IsBadJsonNotAnException()
    {
        // found by the fuzz test: the schema was read outside the decoder's error handling, so one such body threw in the refiner on every pass
        var json = TelemetryBatchCodec.EncodeJson(Sample());
        var at = Encoding.UTF8.GetString(json).IndexOf("retailedge", StringComparison.Ordinal) + 3;
        json[at] = 0xC3;
        json[at + 1] = 0x28;

        var result = TelemetryBatchCodec.Decode(json, "utf-8");

        Assert.Equal(TelemetryReasonCodes.BadJson, result.Reason);
    }

    [Fact]
    public void EncodeDecode_JournalId_RoundTripsAndIsOptional()
    {
        var withJournal = TelemetryBatchCodec.Decode(TelemetryBatchCodec.Encode(Sample() with { JournalId = "0f3c9a1e2b7d4c5e8a6b1d2c3e4f5a6b" }, gzip: true), "gzip");
        var without = TelemetryBatchCodec.Decode(TelemetryBatchCodec.EncodeJson(Sample()), "utf-8");

        Assert.Equal("0f3c9a1e2b7d4c5e8a6b1d2c3e4f5a6b", withJournal.Batch!.JournalId);
        Assert.Null(without.Batch!.JournalId);
        Assert.DoesNotContain("journalId", Encoding.UTF8.GetString(TelemetryBatchCodec.EncodeJson(Sample())), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"seq\":4711,", "\"seq\":4711,\"seq\":1,")]
    [InlineData("\"storeId\":17,", "\"storeId\":17,\"storeId\":18,")]
    [InlineData("\"cols\":[", "\"cols\":[\"qty\"],\"cols\":[")]
    public void Decode_DuplicateKeys_RejectedAsAmbiguous(string member, string repeated)
    {
        var json = Encoding.UTF8.GetString(TelemetryBatchCodec.EncodeJson(Sample()));
        Assert.Contains(member, json, StringComparison.Ordinal);
        var ambiguous = json.Replace(member, repeated, StringComparison.Ordinal);

        var plain = TelemetryBatchCodec.Decode(Encoding.UTF8.GetBytes(ambiguous), "utf-8");
        var gzipped = TelemetryBatchCodec.Decode(Gzip(Encoding.UTF8.GetBytes(ambiguous)), "gzip");

        Assert.Equal(TelemetryReasonCodes.DuplicateKey, plain.Reason);
        Assert.Equal(TelemetryReasonCodes.DuplicateKey, gzipped.Reason);
    }

    [Theory]
    [InlineData("\"journalId\":\"\"")]
    [InlineData("\"journalId\":\"has space\"")]
    [InlineData("\"journalId\":\"0123456789012345678901234567890123456789012345678901234567890123456789\"")]
    public void Decode_BadJournalId_Rejected(string member)
    {
        var json = Encoding.UTF8.GetString(TelemetryBatchCodec.EncodeJson(Sample())).Replace("\"seq\":", member + ",\"seq\":", StringComparison.Ordinal);

        Assert.Equal(TelemetryReasonCodes.BadJournalId, TelemetryBatchCodec.Decode(Encoding.UTF8.GetBytes(json), "utf-8").Reason);
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }
        return output.ToArray();
    }

    [Theory]
    [InlineData("{\"schema\":\"retailedge.telemetry/1\"}", TelemetryReasonCodes.MissingField)]
    [InlineData("{\"schema\":\"retailedge.telemetry/1\",\"storeId\":1,\"gateway\":\"g\",\"seq\":1,\"createdAt\":\"2026-11-20T09:00:00Z\",\"items\":{\"cols\":[\"itemId\"],\"rows\":[[1]]}}", TelemetryReasonCodes.BadSection)]
    [InlineData("{\"schema\":\"retailedge.telemetry/1\",\"storeId\":\"x\",\"gateway\":\"g\",\"seq\":1,\"createdAt\":\"2026-11-20T09:00:00Z\"}", TelemetryReasonCodes.BadSection)]
    [InlineData("not json", TelemetryReasonCodes.BadJson)]
    public void Decode_BadBodies_GiveReason(string body, string reason)
    {
        Assert.Equal(reason, TelemetryBatchCodec.Decode(Encoding.UTF8.GetBytes(body), "utf-8").Reason);
    }

    [Fact]
    public void Decode_DecompressionBomb_IsTooLarge()
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 20; i++)
            {
                gzip.Write(zeros);
            }
        }

        Assert.Equal(TelemetryReasonCodes.TooLarge, TelemetryBatchCodec.Decode(output.ToArray(), "gzip").Reason);
    }

    [Fact]
    public void BillableUnits_CountBodyAndProperties()
    {
        var batch = Sample();
        var bytes = TelemetryMessage.BillableBytes(4090, batch, compressed: true);

        Assert.True(bytes > 4096);
        Assert.Equal(2, TelemetryMessage.BillableUnits(bytes));
        Assert.Equal(1, TelemetryMessage.BillableUnits(4096));
        Assert.Equal("store017-gw-4711", TelemetryMessage.MessageId(batch.Gateway, batch.Seq));
    }
}
