using System.Text;
using System.Text.Json.Nodes;
using RetailEdge.HubEmulator.Registry;
using RetailEdge.HubEmulator.Routing;

namespace RetailEdge.HubEmulator.Tests;

public class RoutingRecordFormatterTests
{
    private static readonly DateTimeOffset Enqueued = new(2026, 11, 20, 8, 1, 2, 531, TimeSpan.Zero);

    private static RoutedMessage Message(string? ct, string? ce, byte[] body, string? module = "StoreGateway") =>
        new(new IdentityKey("store018-gw", module), "638671234567890999", Enqueued,
            [new("schema", "retailedge.telemetry/1"), new("storeId", "17")], "store018-gw-12", null, ct, ce, body);

    [Fact]
    public void Format_JsonUtf8_BodyIsJsonAndShapeMatchesSample()
    {
        var line = RoutingRecordFormatter.Format(Message("application/json", "utf-8", """{"seq":12,"items":{"rows":[[1,2]]}}"""u8.ToArray()));

        Assert.Equal((byte)'\n', line[^1]);
        var record = JsonNode.Parse(line)!.AsObject();
        Assert.Equal(["EnqueuedTimeUtc", "Properties", "SystemProperties", "Body"], record.Select(p => p.Key).ToArray());
        Assert.Equal("2026-11-20T08:01:02.5310000Z", record["EnqueuedTimeUtc"]!.GetValue<string>());
        Assert.Equal("17", record["Properties"]!["storeId"]!.GetValue<string>());
        var system = record["SystemProperties"]!.AsObject();
        Assert.Equal("store018-gw", system["connectionDeviceId"]!.GetValue<string>());
        Assert.Equal("StoreGateway", system["connectionModuleId"]!.GetValue<string>());
        Assert.Equal("""{"scope":"module","type":"sas","issuer":"iothub","acceptingIpFilterRule":null}""", system["connectionAuthMethod"]!.GetValue<string>());
        Assert.Equal("638671234567890999", system["connectionDeviceGenerationId"]!.GetValue<string>());
        Assert.Equal("application/json", system["contentType"]!.GetValue<string>());
        Assert.Equal("utf-8", system["contentEncoding"]!.GetValue<string>());
        Assert.Equal("2026-11-20T08:01:02.5310000Z", system["enqueuedTime"]!.GetValue<string>());
        Assert.Equal("store018-gw-12", system["messageId"]!.GetValue<string>());
        Assert.Equal(12, record["Body"]!["seq"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("application/vnd.retailedge.telemetry+json", "gzip")]
    [InlineData("application/json", null)]
    [InlineData(null, null)]
    public void Format_NotJsonUtf8_BodyIsBase64OfExactBytes(string? ct, string? ce)
    {
        byte[] body = [0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00];

        var record = JsonNode.Parse(RoutingRecordFormatter.Format(Message(ct, ce, body)))!.AsObject();

        Assert.Equal(Convert.ToBase64String(body), record["Body"]!.GetValue<string>());
    }

    [Fact]
    public void Format_JsonTypeButInvalidJson_FallsBackToBase64()
    {
        var body = Encoding.UTF8.GetBytes("{not json");

        var record = JsonNode.Parse(RoutingRecordFormatter.Format(Message("application/json", "utf-8", body)))!.AsObject();

        Assert.Equal(Convert.ToBase64String(body), record["Body"]!.GetValue<string>());
    }

    [Fact]
    public void Format_DeviceIdentity_NoModuleIdAndDeviceScope()
    {
        var record = JsonNode.Parse(RoutingRecordFormatter.Format(Message(null, null, [1], module: null)))!.AsObject();

        var system = record["SystemProperties"]!.AsObject();
        Assert.False(system.ContainsKey("connectionModuleId"));
        Assert.Contains("\"scope\":\"device\"", system["connectionAuthMethod"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Format_SampleFileRecords_SameKeysAsSample()
    {
        var sample = File.ReadAllLines(Path.Combine(RetailEdge.Testing.RepoPaths.Shared, "data", "iothub-routing", "myhub_00_2026_11_20_08_01.json"));
        var expected = JsonNode.Parse(sample[1])!.AsObject();

        var ours = JsonNode.Parse(RoutingRecordFormatter.Format(Message("application/json", "utf-8", "{}"u8.ToArray())))!.AsObject();

        Assert.Equal(expected.Select(p => p.Key), ours.Select(p => p.Key));
        Assert.Equal(expected["SystemProperties"]!.AsObject().Select(p => p.Key).Order(), ours["SystemProperties"]!.AsObject().Select(p => p.Key).Order());
    }
}
