using RetailEdge.Testing;

namespace RetailEdge.IotHub.Tests;

public class IotEdgeEnvironmentTests
{
    private static Dictionary<string, string?> EdgeVariables() => new()
    {
        ["IOTEDGE_WORKLOADURI"] = "unix:///var/run/iotedge/workload.sock",
        ["IOTEDGE_AUTHSCHEME"] = "sasToken",
        ["IOTEDGE_MODULEGENERATIONID"] = "637000000000000000",
        ["IOTEDGE_IOTHUBHOSTNAME"] = "myhub.azure-devices.net",
        ["IOTEDGE_GATEWAYHOSTNAME"] = "store017-gw",
        ["IOTEDGE_DEVICEID"] = "store017-gw",
        ["IOTEDGE_MODULEID"] = "StoreGateway",
        ["IOTEDGE_APIVERSION"] = "2022-08-03",
        ["RuntimeLogLevel"] = "info",
        ["UpstreamProtocol"] = "Mqtt",
    };

    [Fact]
    public void FromVariables_IotEdgeVariables_UsesWorkloadApi()
    {
        var env = IotEdgeEnvironment.FromVariables(EdgeVariables());

        Assert.Equal("myhub.azure-devices.net", env.IotHubHostName);
        Assert.Equal("store017-gw", env.GatewayHostName);
        Assert.Equal(("store017-gw", "StoreGateway"), (env.DeviceId, env.ModuleId));
        Assert.Null(env.ConnectionString);
        Assert.NotNull(env.Workload);
        Assert.Equal("/var/run/iotedge/workload.sock", env.Workload.WorkloadUri.AbsolutePath);
        Assert.Equal("637000000000000000", env.Workload.GenerationId);
        Assert.Equal("2022-08-03", env.Workload.ApiVersion);
    }

    [Fact]
    public void FromVariables_EdgeHubConnectionStringSet_PrefersItWithCaFile()
    {
        using var dir = new TempDirectory();
        var ca = dir.Combine("ca.pem");
        File.WriteAllText(ca, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
        var variables = EdgeVariables();
        variables["EdgeHubConnectionString"] = $"HostName=h.example;DeviceId=d;ModuleId=m;SharedAccessKey={IotHubSasVectors.Key};GatewayHostName=gw";
        variables["EdgeModuleCACertificateFile"] = ca;

        var env = IotEdgeEnvironment.FromVariables(variables);

        Assert.Equal(("h.example", "gw", "d", "m"), (env.IotHubHostName, env.GatewayHostName, env.DeviceId, env.ModuleId));
        Assert.NotNull(env.ConnectionString);
        Assert.Equal(ca, env.CaCertificateFile);
        Assert.Null(env.Workload);
    }

    [Fact]
    public void FromVariables_IotHubConnectionString_Used()
    {
        var env = IotEdgeEnvironment.FromVariables(new Dictionary<string, string?>
        {
            ["IotHubConnectionString"] = $"HostName=h.example;DeviceId=d;ModuleId=m;SharedAccessKey={IotHubSasVectors.Key}",
        });

        Assert.Null(env.GatewayHostName);
        Assert.Equal("m", env.ModuleId);
    }

    [Theory]
    [InlineData("IOTEDGE_WORKLOADURI")]
    [InlineData("IOTEDGE_MODULEGENERATIONID")]
    [InlineData("IOTEDGE_IOTHUBHOSTNAME")]
    [InlineData("IOTEDGE_DEVICEID")]
    [InlineData("IOTEDGE_MODULEID")]
    [InlineData("IOTEDGE_AUTHSCHEME")]
    public void FromVariables_MissingVariable_NamesIt(string name)
    {
        var variables = EdgeVariables();
        variables.Remove(name);

        var ex = Assert.Throws<InvalidOperationException>(() => IotEdgeEnvironment.FromVariables(variables));

        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromVariables_X509AuthScheme_Rejected()
    {
        var variables = EdgeVariables();
        variables["IOTEDGE_AUTHSCHEME"] = "x509";

        var ex = Assert.Throws<InvalidOperationException>(() => IotEdgeEnvironment.FromVariables(variables));

        Assert.Contains("sasToken", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromVariables_BadConnectionString_NamesVariableNotKey()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => IotEdgeEnvironment.FromVariables(new Dictionary<string, string?>
        {
            ["EdgeHubConnectionString"] = "HostName=h.example;DeviceId=d;ModuleId=m;SharedAccessKey=top*secret",
        }));

        Assert.Contains("EdgeHubConnectionString", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("top*secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromVariables_DeviceConnectionString_Rejected()
    {
        Assert.Throws<InvalidOperationException>(() => IotEdgeEnvironment.FromVariables(new Dictionary<string, string?>
        {
            ["IotHubConnectionString"] = $"HostName=h.example;DeviceId=d;SharedAccessKey={IotHubSasVectors.Key}",
        }));
    }
}
