using System.Text;
using System.Text.Json;
using RetailEdge.Testing;

namespace RetailEdge.Lakehouse.Tests;

public sealed class RoutedRecordParserTests
{
    private static byte[] Sample() =>
        File.ReadAllBytes(Path.Combine(RepoPaths.Shared, "data", "iothub-routing", "myhub_00_2026_11_20_08_01.json"));

    [Fact]
    public void Parse_SharedRoutingSample_KeepsBodiesExactlyAsSent()
    {
        var records = RoutedRecordParser.Parse(Sample()).ToList();

        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Null(r.Error));
        Assert.Equal([0x1f, 0x8b], records[0].Body.Take(2));
        Assert.Equal("store017-gw", records[0].DeviceId);
        Assert.Equal("StoreGateway", records[0].ModuleId);
        Assert.Equal("gzip", records[0].ContentEncoding);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 8, 1, 2, 531, TimeSpan.Zero), records[0].EnqueuedTime);
        using (var json = JsonDocument.Parse(records[1].Body))
        {
            Assert.Equal("retailedge.telemetry/1", json.RootElement.GetProperty("schema").GetString());
        }
        Assert.Equal("not json at all", Encoding.UTF8.GetString(records[2].Body));
        Assert.Null(records[2].ModuleId);
        Assert.Equal(3, records[2].Line);
    }

    [Fact]
    public void Parse_MalformedAndBlankLines_KeepsRawLineAndGoesOn()
    {
        var sample = Sample();
        var content = Encoding.UTF8.GetBytes("{not json\n\r\n{\"Body\":\"eA==\"}\n").Concat(sample).ToArray();

        var records = RoutedRecordParser.Parse(content).ToList();

        Assert.Equal(5, records.Count);
        Assert.StartsWith("not JSON", records[0].Error, StringComparison.Ordinal);
        Assert.Equal("{not json", Encoding.UTF8.GetString(records[0].Body));
        Assert.Null(records[0].DeviceId);
        Assert.Equal("no SystemProperties object", records[1].Error);
        Assert.Equal(3, records[1].Line);
        Assert.Equal("store017-gw", records[2].DeviceId);
    }

    [Fact]
    public void Parse_InvalidUtf8InsideARecord_MalformedLineNotAnException()
    {
        // found by the fuzz test: the device id was transcoded outside the parser's error handling, so one such line failed the whole file on every pass
        var line = Encoding.UTF8.GetString(Sample()).Split('\n')[0];
        var bytes = Encoding.UTF8.GetBytes(line);
        var at = line.IndexOf("store017-gw", StringComparison.Ordinal);
        bytes[at] = 0xC3;
        bytes[at + 1] = 0x28;

        var record = RoutedRecordParser.Parse(bytes).Single();

        Assert.Null(record.DeviceId);
        Assert.Equal(bytes, record.Body);
        Assert.StartsWith("not JSON", record.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_ThenParse_RoundTripsJsonAndBase64Bodies()
    {
        var batch = new Contracts.Telemetry.TelemetryBatch { StoreId = 4, Gateway = "store004-gw", Seq = 9, CreatedAt = DateTimeOffset.Parse("2026-11-20T09:00:00+01:00", System.Globalization.CultureInfo.InvariantCulture) };
        var enqueued = new DateTimeOffset(2026, 11, 20, 8, 0, 1, TimeSpan.Zero);

        var gz = RoutedRecordParser.Parse(RoutedRecordWriter.Format(batch, "store004-gw", "StoreGateway", enqueued, gzip: true)).Single();
        var json = RoutedRecordParser.Parse(RoutedRecordWriter.Format(batch, "store004-gw", "StoreGateway", enqueued, gzip: false)).Single();

        Assert.Equal(Contracts.Telemetry.TelemetryBatchCodec.Encode(batch, gzip: true), gz.Body);
        Assert.Equal(Contracts.Telemetry.TelemetryBatchCodec.EncodeJson(batch), json.Body);
        Assert.Equal("store004-gw-9", json.MessageId);
        Assert.Equal("retailhub/03/2026/11/20/08/00", RoutedRecordWriter.BlobName("retailhub", 3, enqueued));
    }
}
