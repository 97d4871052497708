using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using RetailEdge.Delta.AzureBlob;
using RetailEdge.HubEmulator;
using RetailEdge.IotHubService;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;
using RetailEdge.Lakehouse.Tests;
using RetailEdge.Testing;

namespace RetailEdge.Processor.Tests;

/// <summary>
/// The processor host wired from the environment with Azure.Identity: the blob source and lake in a
/// real Azurite that checks bearer tokens over HTTPS, and the IoT Hub service API of the hub emulator.
/// The credential is a test double (Microsoft Entra cannot be reached here), injected through AzureAccess.
/// </summary>
public sealed class ProcessorCredentialTests
{
    [Fact]
    public async Task AddProcessor_BlobSourceAndLakeWithoutConnectionStrings_LandsIntoAzuriteWithBearerTokens()
    {
        using var temp = new TempDirectory("processor-identity");
        await using var azurite = await AzuriteServer.StartWithOAuthAsync();
        using var http = azurite.CreateTrustingHttpClient();
        var admin = new BlobServiceClient(azurite.ConnectionString, BlobClientFactory.ClientOptions(http));
        await admin.GetBlobContainerClient("routed").CreateIfNotExistsAsync();
        await admin.GetBlobContainerClient("lake").CreateIfNotExistsAsync();
        await admin.GetBlobContainerClient("routed").UploadBlobAsync("myhub/00/2026/11/20/08/01.json",
            BinaryData.FromBytes(await File.ReadAllBytesAsync(Path.Combine(RepoPaths.Shared, "data", "iothub-routing", "myhub_00_2026_11_20_08_01.json"))));
        var env = new Dictionary<string, string?>
        {
            ["RETAILEDGE_SOURCE"] = azurite.BlobEndpoint + "/routed",
            ["RETAILEDGE_LAKE"] = azurite.BlobEndpoint + "/lake/prod",
            ["RETAILEDGE_ONCE"] = "true",
            ["RETAILEDGE_SCRATCH"] = temp.Combine("scratch"),
        };
        var credential = new TestTokenCredential();
        var builder = WebApplication.CreateSlimBuilder();

        builder.AddProcessor(new AzureAccess(env.GetValueOrDefault, () => credential, http));
        await using var app = builder.Build();
        var options = app.Services.GetRequiredService<ProcessorOptions>();
        await app.Services.GetRequiredService<LakehousePipeline>().RunUntilIdleAsync(CancellationToken.None);

        Assert.Equal(StorageAuthMode.AzureIdentity, options.SourceBlob!.Auth);
        Assert.Equal(StorageAuthMode.AzureIdentity, options.LakeBlob!.Auth);
        var lake = app.Services.GetRequiredService<LakeContext>();
        using var connection = lake.Connect();
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.BronzeTelemetry, "bronze");
        Assert.True(LakeAssertions.Count(connection, "SELECT * FROM bronze") > 0, "nothing landed");
        var written = new List<string>();
        await foreach (var blob in admin.GetBlobContainerClient("lake").GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = "prod/bronze/telemetry/_delta_log/" }))
        {
            written.Add(blob.Name);
        }
        Assert.NotEmpty(written);
        Assert.NotEmpty(credential.Scopes);
        Assert.All(credential.Scopes, s => Assert.Equal("https://storage.azure.com/.default", s));
    }

    [Fact]
    public async Task CreateIotHubClient_HostNameOrConnectionString_BearerFromAzureIdentityOrSas()
    {
        using var temp = new TempDirectory("processor-hub");
        await using var emulator = new HubEmulator.HubEmulator(new HubEmulatorOptions
        {
            RegistryPath = temp.Combine("registry.json"),
            HubName = "credhub",
            RoutingTarget = temp.Combine("routing"),
        });
        await emulator.StartAsync(CancellationToken.None);
        await emulator.Registry.AddModuleAsync("store017-gw", "StoreGateway");
        var credential = new TestTokenCredential();
        var env = new Dictionary<string, string?>
        {
            ["RETAILEDGE_SOURCE"] = "/s",
            ["RETAILEDGE_LAKE"] = "/l",
            [ProcessorOptions.IotHubHostNameVariable] = emulator.HostName,
            [ProcessorOptions.IotHubEndpointVariable] = emulator.RestBaseAddress.AbsoluteUri,
        };
        var access = new AzureAccess(env.GetValueOrDefault, () => credential);
        var options = ProcessorOptions.FromEnvironment(access);

        using (var bearer = ProcessorHostExtensions.CreateIotHubClient(options, access))
        {
            // the emulator cannot verify Entra tokens and says so: proof the bearer token, not a SAS, was sent
            var error = await Assert.ThrowsAsync<IotHubServiceException>(() => bearer!.GetModuleTwinAsync("store017-gw", "StoreGateway"));
            Assert.Contains("bearer tokens are not accepted by the emulator", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(TestTokenCredential.Marker, error.Message, StringComparison.Ordinal);
        }
        Assert.Equal(["https://iothubs.azure.net/.default"], credential.Scopes.Distinct());

        env.Remove(ProcessorOptions.IotHubHostNameVariable);
        env[ProcessorOptions.IotHubConnectionStringVariable] = emulator.Registry.ServiceConnectionString();
        var before = credential.Scopes.Count;
        options = ProcessorOptions.FromEnvironment(access);
        using (var sas = ProcessorHostExtensions.CreateIotHubClient(options, access))
        {
            var twin = await sas!.GetModuleTwinAsync("store017-gw", "StoreGateway");
            Assert.NotNull(twin);
        }
        Assert.Equal(before, credential.Scopes.Count);

        env.Remove(ProcessorOptions.IotHubConnectionStringVariable);
        Assert.Null(ProcessorHostExtensions.CreateIotHubClient(ProcessorOptions.FromEnvironment(access), access));
    }

    [Fact]
    public async Task CreateIotHubClient_NoCredentialAvailable_ErrorNamesTheHubAndTheSettings()
    {
        var env = new Dictionary<string, string?>
        {
            ["RETAILEDGE_SOURCE"] = "/s",
            ["RETAILEDGE_LAKE"] = "/l",
            [ProcessorOptions.IotHubHostNameVariable] = "myhub.azure-devices.net",
            [ProcessorOptions.IotHubEndpointVariable] = "http://127.0.0.1:9/",
        };
        var access = new AzureAccess(env.GetValueOrDefault, () => new TestTokenCredential(unavailable: true));
        using var client = ProcessorHostExtensions.CreateIotHubClient(ProcessorOptions.FromEnvironment(access), access);

        var error = await Assert.ThrowsAsync<AzureCredentialException>(() => client!.GetModuleTwinAsync("d", "m"));

        Assert.StartsWith("the IoT Hub myhub.azure-devices.net (no RETAILEDGE_IOTHUB_CONNECTION_STRING; RETAILEDGE_IOTHUB_HOST_NAME is set): Azure.Identity could not get a token for https://iothubs.azure.net/.default (no credential available)",
            error.Message, StringComparison.Ordinal);
    }
}
