namespace RetailEdge.IotHub.Tests;

public class IotHubTopicsTests
{
    [Fact]
    public void ConnectFields_Module_MatchProtocols()
    {
        Assert.Equal("store017-gw/StoreGateway", IotHubTopics.ClientId("store017-gw", "StoreGateway"));
        Assert.Equal("myhub.azure-devices.net/store017-gw/StoreGateway/?api-version=2021-04-12",
            IotHubTopics.UserName("myhub.azure-devices.net", "store017-gw", "StoreGateway", "2021-04-12"));
    }

    [Fact]
    public void Telemetry_WithBag_MatchesProtocols()
    {
        var topic = IotHubTopics.Telemetry("store017-gw", "StoreGateway", "%24.ct=application%2fjson&%24.ce=utf-8");

        Assert.Equal("devices/store017-gw/modules/StoreGateway/messages/events/%24.ct=application%2fjson&%24.ce=utf-8", topic);
        Assert.True(IotHubTopics.TryParseTelemetry(topic, out var parsed));
        Assert.Equal(new TelemetryTopic("store017-gw", "StoreGateway", "%24.ct=application%2fjson&%24.ce=utf-8"), parsed);
    }

    [Theory]
    [InlineData("devices/d1/messages/events/", "d1", null, "")]
    [InlineData("devices/d1/messages/events/a=b", "d1", null, "a=b")]
    [InlineData("devices/d1/modules/m1/messages/events/", "d1", "m1", "")]
    [InlineData("devices/d1/modules/m1/messages/events", "d1", "m1", "")]
    public void TryParseTelemetry_Shapes_Parsed(string topic, string device, string? module, string bag)
    {
        Assert.True(IotHubTopics.TryParseTelemetry(topic, out var parsed));
        Assert.Equal(new TelemetryTopic(device, module, bag), parsed);
    }

    [Theory]
    [InlineData("devices/d1/messages/devicebound/x")]
    [InlineData("devices/d1/modules/m1/messages/events/a/b")]
    [InlineData("devices//messages/events/")]
    [InlineData("$iothub/twin/GET/?$rid=1")]
    public void TryParseTelemetry_OtherTopics_False(string topic)
    {
        Assert.False(IotHubTopics.TryParseTelemetry(topic, out _));
    }

    [Fact]
    public void Inputs_FilterAndDelivery_MatchProtocols()
    {
        Assert.Equal("devices/store017-gw/modules/StoreGateway/#", IotHubTopics.ModuleInputFilter("store017-gw", "StoreGateway"));
        var topic = IotHubTopics.Input("store017-gw", "StoreGateway", "refdata", "%24.mid=1&kind=prices");
        Assert.Equal("devices/store017-gw/modules/StoreGateway/inputs/refdata/%24.mid=1&kind=prices", topic);

        Assert.True(IotHubTopics.TryParseInput(topic, "store017-gw", "StoreGateway", out var input));
        Assert.Equal(new InputTopic("refdata", "%24.mid=1&kind=prices"), input);
        Assert.False(IotHubTopics.TryParseInput(topic, "store017-gw", "Other", out _));
        Assert.False(IotHubTopics.TryParseInput("devices/store017-gw/modules/StoreGateway/inputs//x", "store017-gw", "StoreGateway", out _));
    }

    [Fact]
    public void Twin_RequestTopics_MatchProtocols()
    {
        Assert.Equal("$iothub/twin/GET/?$rid=7", IotHubTopics.TwinGet("7"));
        Assert.Equal("$iothub/twin/PATCH/properties/reported/?$rid=8", IotHubTopics.TwinPatchReported("8"));
        Assert.True(IotHubTopics.TryParseTwinRequest("$iothub/twin/GET/?$rid=7", out var get));
        Assert.Equal(new TwinRequestTopic(TwinRequestKind.Get, "7"), get);
        Assert.True(IotHubTopics.TryParseTwinRequest("$iothub/twin/PATCH/properties/reported/?$rid=8", out var patch));
        Assert.Equal(new TwinRequestTopic(TwinRequestKind.PatchReported, "8"), patch);
        Assert.False(IotHubTopics.TryParseTwinRequest("$iothub/twin/GET/", out _));
    }

    [Theory]
    [InlineData("$iothub/twin/res/200/?$rid=1", 200, "1", null)]
    [InlineData("$iothub/twin/res/204/?$rid=abc&$version=42", 204, "abc", 42L)]
    [InlineData("$iothub/twin/res/429/?$version=3&$rid=x", 429, "x", 3L)]
    public void TryParseTwinResponse_ProtocolsExamples_Parsed(string topic, int status, string rid, long? version)
    {
        Assert.True(IotHubTopics.TryParseTwinResponse(topic, out var parsed));
        Assert.Equal(new TwinResponseTopic(status, rid, version), parsed);
        if (version is null)
        {
            Assert.Equal(topic, IotHubTopics.TwinResponse(status, rid));
        }
    }

    [Theory]
    [InlineData("$iothub/twin/res/abc/?$rid=1")]
    [InlineData("$iothub/twin/res/200/?$version=1")]
    [InlineData("$iothub/twin/res/200/$rid=1")]
    [InlineData("$iothub/twin/res/200/?$rid=1&$version=x")]
    [InlineData("$iothub/twin/res//?$rid=1")]
    public void TryParseTwinResponse_Malformed_False(string topic)
    {
        Assert.False(IotHubTopics.TryParseTwinResponse(topic, out _));
    }

    [Fact]
    public void DesiredPatch_Version_RoundTrips()
    {
        Assert.Equal("$iothub/twin/PATCH/properties/desired/?$version=12", IotHubTopics.DesiredPatch(12));
        Assert.True(IotHubTopics.TryParseDesiredPatch("$iothub/twin/PATCH/properties/desired/?$version=12", out var version));
        Assert.Equal(12, version);
        Assert.False(IotHubTopics.TryParseDesiredPatch("$iothub/twin/PATCH/properties/reported/?$version=12", out _));
    }

    [Fact]
    public void Methods_RequestAndResponse_MatchProtocols()
    {
        Assert.True(IotHubTopics.TryParseMethodRequest("$iothub/methods/POST/reboot/?$rid=5", out var request));
        Assert.Equal(new MethodRequestTopic("reboot", "5"), request);
        Assert.Equal("$iothub/methods/POST/reboot/?$rid=5", IotHubTopics.MethodRequest("reboot", "5"));
        Assert.Equal("$iothub/methods/res/200/?$rid=5", IotHubTopics.MethodResponse(200, "5"));
        Assert.True(IotHubTopics.TryParseMethodResponse("$iothub/methods/res/404/?$rid=5", out var response));
        Assert.Equal(new MethodResponseTopic(404, "5"), response);
        Assert.False(IotHubTopics.TryParseMethodRequest("$iothub/methods/POST//?$rid=5", out _));
        Assert.False(IotHubTopics.TryParseMethodRequest("$iothub/methods/POST/reboot/", out _));
    }
}
