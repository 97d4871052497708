using System.Text;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Lakehouse.Silver;

namespace RetailEdge.Lakehouse.Tests;

/// <summary>
/// The bulk refine's admission check: the codec's own output is admitted with the canonical hash and
/// the right row counts; every body whose cells DuckDB could read differently from the codec (or that
/// the codec refuses) is left to the per-batch decoder.
/// </summary>
public sealed class BulkBatchScannerTests
{
    private static readonly TimeSpan Offset = TimeSpan.FromHours(-5);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TryScan_CodecOutput_AdmittedWithCanonicalHashAndCounts(bool gzip)
    {
        var batch = Sample();

        var scan = BulkBatchScanner.TryScan(TelemetryBatchCodec.Encode(batch, gzip), gzip ? TelemetryMessage.GzipContentEncoding : TelemetryMessage.JsonContentEncoding);

        Assert.NotNull(scan);
        Assert.Equal(Refiner.ContentHash(batch), scan.Hash);
        Assert.Equal((7, "journal-1", 42L, batch.CreatedAt, batch.CreatedAt.Offset, 60, 3), (scan.StoreId, scan.JournalId, scan.Seq, scan.CreatedAt, scan.CreatedAt.Offset, scan.WindowSeconds, scan.Rejects));
        Assert.Equal([2, 1, 1, 1, 2], scan.SectionRows);
        Assert.All(scan.SectionLines!, line => Assert.NotNull(line));
    }

    [Theory]
    [InlineData("1.5", "1.5e0")]                                         // exponent: a double to DuckDB
    [InlineData("1.5", "1.50001")]                                       // more decimals than qty's scale
    [InlineData("\"sale\"", "\"s\\u0061le\"")]                           // an escape: text compared raw
    [InlineData("\"sale\"", "\"gift\"")]                                 // unknown change type: invalid_row from the decoder
    [InlineData("\"store\"", "\"kiosk\"")]                               // unknown channel
    [InlineData("2026-11-20T09:00:00.000-05:00", "2026-11-20 09:00:00-05:00")] // not the codec's timestamp form
    [InlineData("2026-11-20T09:00:00.000-05:00", "2026-02-30T09:00:00.000-05:00")] // no such date
    [InlineData("\"seq\":42", "\"seq\":42,\"seq\":43")]                 // a member twice: duplicate_key
    [InlineData("\"seq\":42", "\"seq\":\n42")]                           // a line break: not one JSON line
    [InlineData("\"itemId\"", "\"item\"")]                               // a column missing: bad_section
    [InlineData("\"seq\":42", "\"seq\":42,\"note\":{\"a\":1,\"a\":2}")]     // a member twice inside an unknown one: duplicate_key
    [InlineData("\"bad_json\":3", "\"bad_json\":3,\"bad_json\":0")]       // a reject reason twice: duplicate_key
    [InlineData("\"rows\":", "\"cols\":[],\"rows\":")]                    // a section's cols twice: duplicate_key
    [InlineData("\"e-9\"]", "\"e-9\",{\"x\":1,\"x\":2}]")]               // a member twice in a cell no column reads
    public void TryScan_BodyTheBulkPathCouldMisread_LeftToTheDecoder(string find, string replace)
    {
        var json = Encoding.UTF8.GetString(TelemetryBatchCodec.EncodeJson(Sample()));
        Assert.Contains(find, json, StringComparison.Ordinal);
        var changed = Encoding.UTF8.GetBytes(ReplaceFirst(json, find, replace));

        Assert.Null(BulkBatchScanner.TryScan(changed, TelemetryMessage.JsonContentEncoding));
    }

    [Fact]
    public void TryScan_ContentAfterTheBatchObject_LeftToTheDecoder()
    {
        var json = TelemetryBatchCodec.EncodeJson(Sample());

        Assert.NotNull(BulkBatchScanner.TryScan([.. json, .. " "u8], TelemetryMessage.JsonContentEncoding));
        Assert.Null(BulkBatchScanner.TryScan([.. json, .. "{}"u8], TelemetryMessage.JsonContentEncoding));
    }

    [Fact]
    public void TryScan_AlertsOrBrokenGzip_LeftToTheDecoder()
    {
        var withAlert = Sample() with { Alerts = [new TelemetryAlert("low_stock", Sample().CreatedAt, 1001, new Dictionary<string, string> { ["qty"] = "1" })] };
        var gzip = TelemetryBatchCodec.Encode(Sample(), gzip: true);

        Assert.Null(BulkBatchScanner.TryScan(TelemetryBatchCodec.Encode(withAlert, gzip: true), TelemetryMessage.GzipContentEncoding));
        Assert.Null(BulkBatchScanner.TryScan(gzip[..(gzip.Length / 2)], TelemetryMessage.GzipContentEncoding));
        Assert.Null(BulkBatchScanner.TryScan(TelemetryBatchCodec.EncodeJson(Sample()), TelemetryMessage.GzipContentEncoding));
    }

    private static string ReplaceFirst(string text, string find, string replace)
    {
        var at = text.IndexOf(find, StringComparison.Ordinal);
        return text[..at] + replace + text[(at + find.Length)..];
    }

    internal static TelemetryBatch Sample()
    {
        var window = new DateTimeOffset(2026, 11, 20, 9, 0, 0, Offset);
        return new TelemetryBatch
        {
            StoreId = 7,
            Gateway = "store007-gw",
            JournalId = "journal-1",
            Seq = 42,
            CreatedAt = window.AddMinutes(2).AddMilliseconds(123),
            Items =
            [
                new ItemWindowRow(window, 1001, "sale", "store", 3, 1.5m, 4.20m, 0.10m),
                new ItemWindowRow(window, 1002, "restock", null, 1, 24m, 0m, 0m),
            ],
            Baskets = [new BasketSummaryRow("b-1", window.AddSeconds(5), "lane-1", "store", null, 2, 1.5m, 4.20m)],
            Weighings = [new WeighingWindowRow(window, "scale-1", 2001, 2, 1.234m, 5.55m, 0)],
            Snapshots = [new SnapshotRow("count-1", window.AddSeconds(30), 1001, 17m, "e-9")],
            Inventory =
            [
                new InventoryPositionRow(1001, window.AddSeconds(59), 15.5m, window.AddSeconds(30), 17m),
                new InventoryPositionRow(1002, window.AddSeconds(59), 24m, null, null),
            ],
            Rejects = new RejectSummary(3, new Dictionary<string, int> { ["bad_json"] = 3 }, ["{oops"]),
        };
    }
}
