using System.Globalization;
using System.Text;
using RetailEdge.IotHub.Credentials;

namespace RetailEdge.IotHub.Tests;

/// <summary>The IoT Edge path end to end: IOTEDGE_* environment → workload API on a unix socket signs and serves the trust bundle → TLS to the gateway → the hub validates the token.</summary>
public class IotEdgeModuleConnectionTests
{
    [Fact]
    public async Task FromEnvironmentAsync_WorkloadApiSignsAndTrustBundle_ClientConnectsOverTlsAndSends()
    {
        using var certificates = new TestCertificates();
        await using var hub = await FakeIotHub.StartAsync(certificates.Server);
        await using var workload = await FakeWorkloadApi.StartAsync(FakeIotHub.Key, FakeIotHub.ModuleId, authority: certificates.Authority);
        var environment = IotEdgeEnvironment.FromVariables(new Dictionary<string, string?>
        {
            ["IOTEDGE_WORKLOADURI"] = workload.WorkloadUri.ToString(),
            ["IOTEDGE_AUTHSCHEME"] = "sasToken",
            ["IOTEDGE_MODULEGENERATIONID"] = workload.GenerationId,
            ["IOTEDGE_IOTHUBHOSTNAME"] = FakeIotHub.HostName,
            ["IOTEDGE_GATEWAYHOSTNAME"] = "127.0.0.1",
            ["IOTEDGE_DEVICEID"] = FakeIotHub.DeviceId,
            ["IOTEDGE_MODULEID"] = FakeIotHub.ModuleId,
            ["IOTEDGE_APIVERSION"] = "2019-01-30",
        });

        var options = await IotHubModuleClientOptions.FromEnvironmentAsync(environment, loggerFactory: null, CancellationToken.None);
        await using var client = new IotHubModuleClient(options with { Port = hub.Port });
        await client.OpenAsync(CancellationToken.None);
        await client.SendEventAsync(new IotHubMessage(Encoding.UTF8.GetBytes("over tls")), CancellationToken.None);

        Assert.True(options.UseTls);
        Assert.Equal(certificates.Authority.Thumbprint, Assert.Single(options.TrustedRootCertificates!).Thumbprint);
        Assert.True(workload.SignRequests >= 1);
        var token = Assert.Single(hub.AcceptedTokens);
        var parsed = SasToken.Parse(token);
        // the workload-signed token equals the one computed locally with the module key
        Assert.Equal(SharedAccessSignature.Create(SharedAccessSignature.ModuleResourceUri(FakeIotHub.HostName, FakeIotHub.DeviceId, FakeIotHub.ModuleId), FakeIotHub.Key, parsed.ExpiryUnixSeconds), token);
        var (_, payload) = await hub.Telemetry.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("over tls", Encoding.UTF8.GetString(payload));
    }

    [Fact]
    public async Task OpenAsync_TlsWithoutTrustBundle_DoesNotConnect()
    {
        using var certificates = new TestCertificates();
        await using var hub = await FakeIotHub.StartAsync(certificates.Server);
        await using var client = new IotHubModuleClient(hub.ClientOptions() with { UseTls = true });
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        // an untrusted server certificate is an authentication failure, retried until cancelled
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.OpenAsync(cancel.Token));

        Assert.Equal(0, hub.Connections);
        Assert.Empty(hub.AcceptedTokens);
    }

    [Fact]
    public async Task FromEnvironmentAsync_ConnectionStringAndCaFile_TrustsTheCaFile()
    {
        using var certificates = new TestCertificates();
        using var dir = new RetailEdge.Testing.TempDirectory();
        var caFile = dir.Combine("edge-ca.pem");
        await File.WriteAllTextAsync(caFile, certificates.AuthorityPem);
        await using var hub = await FakeIotHub.StartAsync(certificates.Server);
        var environment = IotEdgeEnvironment.FromVariables(new Dictionary<string, string?>
        {
            ["EdgeHubConnectionString"] = IotHubConnectionString.FormatModule(FakeIotHub.HostName, FakeIotHub.DeviceId, FakeIotHub.ModuleId, FakeIotHub.Key, "127.0.0.1"),
            ["EdgeModuleCACertificateFile"] = caFile,
        });

        var options = await IotHubModuleClientOptions.FromEnvironmentAsync(environment, loggerFactory: null, CancellationToken.None);
        await using var client = new IotHubModuleClient(options with { Port = hub.Port });
        await client.OpenAsync(CancellationToken.None);

        Assert.Equal(IotHubConnectionStatus.Connected, client.Status);
        Assert.Equal(1, hub.Connections);
        Assert.Equal(hub.Port.ToString(CultureInfo.InvariantCulture), (options with { Port = hub.Port }).Port.ToString(CultureInfo.InvariantCulture));
    }
}
