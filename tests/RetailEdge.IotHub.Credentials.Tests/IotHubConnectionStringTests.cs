
namespace RetailEdge.IotHub.Credentials.Tests;

public class IotHubConnectionStringTests
{
    private const string Key = SharedAccessSignatureTests.Key;

    [Fact]
    public void Parse_ModuleWithGateway_ReadsAllFields()
    {
        var cs = IotHubConnectionString.Parse($"HostName=myhub.azure-devices.net;DeviceId=store017-gw;ModuleId=StoreGateway;SharedAccessKey={Key};GatewayHostName=edge.local");

        Assert.Equal("myhub.azure-devices.net", cs.HostName);
        Assert.Equal("store017-gw", cs.DeviceId);
        Assert.Equal("StoreGateway", cs.ModuleId);
        Assert.Equal(Key, cs.SharedAccessKey);
        Assert.Equal("edge.local", cs.GatewayHostName);
        Assert.True(cs.IsModule);
        Assert.False(cs.IsServicePolicy);
    }

    [Fact]
    public void Parse_DeviceInAnyFieldOrderAndCase_ReadsFields()
    {
        var cs = IotHubConnectionString.Parse($" sharedaccesskey={Key} ; deviceid=d1;hostname=h.example; ");

        Assert.Equal("d1", cs.DeviceId);
        Assert.Null(cs.ModuleId);
        Assert.False(cs.IsModule);
    }

    [Fact]
    public void Parse_ServicePolicy_ReadsKeyName()
    {
        var cs = IotHubConnectionString.Parse($"HostName=h.example;SharedAccessKeyName=service;SharedAccessKey={Key}");

        Assert.True(cs.IsServicePolicy);
        Assert.Equal("service", cs.SharedAccessKeyName);
    }

    [Fact]
    public void ToString_Always_RedactsKey()
    {
        var cs = IotHubConnectionString.Parse($"HostName=h.example;DeviceId=d;ModuleId=m;SharedAccessKey={Key}");

        Assert.Equal("HostName=h.example;DeviceId=d;ModuleId=m;SharedAccessKey=***", cs.ToString());
        Assert.Equal($"HostName=h.example;DeviceId=d;ModuleId=m;SharedAccessKey={Key}", cs.ToSecretString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("DeviceId=d;SharedAccessKey=MDEy", "HostName")]
    [InlineData("HostName=h;SharedAccessKey=MDEy", "DeviceId")]
    [InlineData("HostName=h;DeviceId=d", "SharedAccessKey")]
    [InlineData("HostName=h;DeviceId=d;SharedAccessKey=sec!ret", "SharedAccessKey")]
    [InlineData("HostName=h;DeviceId=d;DeviceId=e;SharedAccessKey=MDEy", "twice")]
    [InlineData("HostName=h;ModuleId=m;SharedAccessKeyName=p;SharedAccessKey=MDEy", "ModuleId")]
    [InlineData("HostName=h;DeviceId=a/b;SharedAccessKey=MDEy", "DeviceId")]
    [InlineData("HostName=h h;DeviceId=d;SharedAccessKey=MDEy", "HostName")]
    [InlineData("HostName=h;DeviceId=d;SharedAccessKey=MDEy;GatewayHostName=g/x", "GatewayHostName")]
    [InlineData("HostName=h;DeviceId=d;x509=true", "x509")]
    [InlineData("HostName=h;DeviceId=d;junk", "Name=Value")]
    public void TryParse_Invalid_FailsNamingTheFieldNotTheKey(string text, string expectedInError)
    {
        var ok = IotHubConnectionString.TryParse(text, out var cs, out var error);

        Assert.False(ok);
        Assert.Null(cs);
        Assert.Contains(expectedInError, error, StringComparison.Ordinal);
        Assert.DoesNotContain("sec!ret", error, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatModule_RoundTrips()
    {
        var text = IotHubConnectionString.FormatModule("h.example", "d", "m", Key, "gw.local");

        var cs = IotHubConnectionString.Parse(text);

        Assert.Equal(("h.example", "d", "m", "gw.local"), (cs.HostName, cs.DeviceId, cs.ModuleId, cs.GatewayHostName));
    }
}
