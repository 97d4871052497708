using System.Text.Json.Nodes;
using RetailEdge.HubEmulator.Query;

namespace RetailEdge.HubEmulator.Tests;

public class TwinQueryTests
{
    private static JsonObject Twin(string device, string module, string reported) =>
        (JsonObject)JsonNode.Parse($$$"""{"deviceId":"{{{device}}}","moduleId":"{{{module}}}","properties":{"desired":{},"reported":{{{reported}}}}}""")!;

    [Theory]
    [InlineData("SELECT * FROM devices.modules", true)]
    [InlineData("select * from devices.modules where moduleId = 'StoreGateway'", true)]
    [InlineData("SELECT * FROM devices.modules WHERE moduleId = 'Other'", false)]
    [InlineData("SELECT * FROM devices.modules WHERE deviceId = 'store017-gw' AND properties.reported.rejected > 2", true)]
    [InlineData("SELECT * FROM devices.modules WHERE properties.reported.rejected >= 4", false)]
    [InlineData("SELECT * FROM devices.modules WHERE properties.reported.status = 'running' OR moduleId = 'x'", true)]
    [InlineData("SELECT * FROM devices.modules WHERE properties.reported.missing = 1", false)]
    [InlineData("SELECT * FROM devices.modules WHERE properties.reported.missing != 1", false)]
    [InlineData("SELECT * FROM devices.modules WHERE NOT (moduleId = 'x') AND properties.reported.ok = true", true)]
    [InlineData("SELECT * FROM devices.modules WHERE properties.reported.status = 3", false)]
    [InlineData("SELECT * FROM devices.modules WHERE properties.reported.nested.depth < 2.5", true)]
    [InlineData("SELECT * FROM devices.modules WHERE IS_DEFINED(properties.reported.nested)", true)]
    [InlineData("SELECT * FROM devices.modules WHERE properties.reported.status = 'it''s'", false)]
    public void Matches_Comparisons_AsIotHub(string text, bool expected)
    {
        var twin = Twin("store017-gw", "StoreGateway", """{"rejected":3,"status":"running","ok":true,"nested":{"depth":2}}""");

        var query = TwinQuery.Parse(text);

        Assert.True(query.OverModules);
        Assert.Equal(expected, query.Matches(twin));
    }

    [Theory]
    [InlineData("SELECT deviceId FROM devices.modules")]
    [InlineData("SELECT * FROM jobs")]
    [InlineData("SELECT * FROM devices.modules WHERE")]
    [InlineData("SELECT * FROM devices.modules WHERE moduleId = ")]
    [InlineData("SELECT * FROM devices.modules WHERE foo = 1")]
    [InlineData("SELECT * FROM devices.modules WHERE moduleId = 'unterminated")]
    [InlineData("SELECT * FROM devices.modules WHERE moduleId ~ 'x'")]
    public void Parse_Unsupported_ThrowsFormatException(string text) =>
        Assert.Throws<FormatException>(() => TwinQuery.Parse(text));

    [Fact]
    public void Parse_DevicesSource_OverDeviceTwins()
    {
        Assert.False(TwinQuery.Parse("SELECT * FROM devices WHERE tags.region = 'north'").OverModules);
    }
}
