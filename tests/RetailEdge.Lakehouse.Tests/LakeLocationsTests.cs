using Azure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Contracts.Reference;
using RetailEdge.Delta.AzureBlob;
using RetailEdge.Lakehouse.Hosting;
using RetailEdge.Testing;

namespace RetailEdge.Lakehouse.Tests;

/// <summary>
/// `--source` / `--lake` locations: which URLs are blob containers (ADLS Gen2 included), which
/// credentials they use, the errors when they cannot work, and real reads and writes in Azurite —
/// with a connection string over http and with an Azure.Identity credential over HTTPS.
/// </summary>
public sealed class LakeLocationsTests
{
    private const string ConnectionString = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + AzuriteServer.AccountKey + ";EndpointSuffix=core.windows.net";

    private static AzureAccess Access(params (string Name, string? Value)[] variables)
    {
        var env = variables.ToDictionary(v => v.Name, v => v.Value);
        return new AzureAccess(env.GetValueOrDefault, () => new TestTokenCredential());
    }

    [Theory]
    [InlineData("abfss://lake@acct.dfs.core.windows.net/prod/v1", "https://acct.blob.core.windows.net/lake/prod/v1/")]
    [InlineData("abfss://lake@acct.dfs.core.windows.net", "https://acct.blob.core.windows.net/lake/")]
    [InlineData("https://acct.dfs.core.windows.net/lake/prod", "https://acct.blob.core.windows.net/lake/prod/")]
    [InlineData("https://acct.blob.core.windows.net/lake/prod/", "https://acct.blob.core.windows.net/lake/prod/")]
    [InlineData("abfss://lake@acct.dfs.core.chinacloudapi.cn/prod", "https://acct.blob.core.chinacloudapi.cn/lake/prod/")]
    public void OpenLake_AdlsGen2Urls_MapToTheBlobEndpoint(string location, string expected)
    {
        var stores = LakeLocations.OpenLake(location, Access());

        Assert.Equal(expected, Assert.IsType<BlobLakeStoreFactory>(stores).Location);
    }

    [Theory]
    [InlineData("abfss://routed@acct.dfs.core.windows.net/myhub", "https://acct.blob.core.windows.net/routed/myhub/")]
    [InlineData("https://acct.dfs.core.windows.net/routed", "https://acct.blob.core.windows.net/routed")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/routed/pre", "http://127.0.0.1:10000/devstoreaccount1/routed/pre/")]
    public void OpenSource_BlobAndAdlsUrls_ContainerAndPrefixFromTheUrl(string location, string expected)
    {
        // the emulator's well-known endpoint through its connection-string shorthand; the Azure URLs with Azure.Identity
        var access = location.StartsWith("http://127.0.0.1:10000/", StringComparison.Ordinal)
            ? Access((LakeLocations.SourceConnectionStringVariable, "UseDevelopmentStorage=true"))
            : Access((AzureAccess.StorageAuthVariable, "azure-identity"));

        var source = LakeLocations.OpenSource(location, access);

        Assert.Equal("blob container " + expected, Assert.IsType<BlobTelemetrySource>(source).Description);
    }

    [Theory]
    [InlineData(null, null, StorageAuthMode.AzureIdentity)]
    [InlineData(null, ConnectionString, StorageAuthMode.ConnectionString)]
    [InlineData("auto", "  ", StorageAuthMode.AzureIdentity)]
    [InlineData("Connection-String", ConnectionString, StorageAuthMode.ConnectionString)]
    [InlineData("azure-identity", ConnectionString, StorageAuthMode.AzureIdentity)]
    [InlineData("azure-identity", null, StorageAuthMode.AzureIdentity)]
    public void ResolveLake_AuthFromEnvironment(string? mode, string? connectionString, StorageAuthMode expected)
    {
        var access = Access((AzureAccess.StorageAuthVariable, mode), (LakeLocations.LakeConnectionStringVariable, connectionString));

        var lake = LakeLocations.ResolveLake("abfss://lake@acct.dfs.core.windows.net/prod", access);

        Assert.NotNull(lake);
        Assert.Equal(expected, lake.Auth);
        Assert.Equal("acct", lake.Uri.AccountName);
        // the source has its own variable: the lake's connection string never authenticates it
        if (mode is "Connection-String")
        {
            Assert.Throws<ArgumentException>(() => LakeLocations.ResolveSource("https://acct.blob.core.windows.net/routed", access));
        }
        else
        {
            Assert.Equal(StorageAuthMode.AzureIdentity, LakeLocations.ResolveSource("https://acct.blob.core.windows.net/routed", access)!.Auth);
        }
        Assert.Null(LakeLocations.ResolveLake("/data/lake", access));
    }

    [Theory]
    [InlineData("https://acct.blob.core.windows.net/lake?sv=2024&sig=SECRETSIG", null, "must not carry a query")]
    [InlineData("abfss://acct.dfs.core.windows.net/lake?sig=SECRETSIG", null, "names the container before '@'")]
    [InlineData("https://acct.blob.core.windows.net", null, "must name a container")]
    [InlineData("https://acct.blob.core.windows.net/Bad_Name?sig=SECRETSIG", null, "is not a valid container name")]
    [InlineData("http://acct.blob.core.windows.net/lake", null, "needs an https (or abfss) URL")]
    [InlineData("https://acct.blob.core.windows.net/lake", "AccountName=acct;Key=SECRETSIG", "RETAILEDGE_LAKE_CONNECTION_STRING: not a valid storage connection string")]
    [InlineData("https://other.blob.core.windows.net/lake", ConnectionString, "RETAILEDGE_LAKE_CONNECTION_STRING: the storage connection string is for https://acct.blob.core.windows.net")]
    public void OpenLake_BadLocation_ClearErrorWithoutSecrets(string location, string? connectionString, string expected)
    {
        var access = Access((LakeLocations.LakeConnectionStringVariable, connectionString));

        var error = Assert.Throws<ArgumentException>(() => LakeLocations.OpenLake(location, access));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETSIG", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteServer.AccountKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenSource_ConnectionStringModeWithoutVariable_NamesTheVariable()
    {
        var access = Access((AzureAccess.StorageAuthVariable, "connection-string"), (LakeLocations.LakeConnectionStringVariable, ConnectionString));

        var error = Assert.Throws<ArgumentException>(() => LakeLocations.OpenSource("https://acct.blob.core.windows.net/routed", access));

        Assert.Contains("RETAILEDGE_STORAGE_AUTH=connection-string needs the storage connection string in RETAILEDGE_SOURCE_CONNECTION_STRING", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StorageAuth_UnknownValue_RefusedWithoutEchoingIt()
    {
        var access = Access((AzureAccess.StorageAuthVariable, "AccountKey=SECRETSIG"));

        var error = Assert.Throws<ArgumentException>(() => LakeLocations.OpenLake("https://acct.blob.core.windows.net/lake", access));

        Assert.Equal("RETAILEDGE_STORAGE_AUTH must be auto, connection-string or azure-identity", error.Message);
    }

    [Fact]
    public async Task OpenSource_PathStyleEmulatorUrl_ListsTheNamedContainerAndPrefix()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var routed = new BlobContainerClient(azurite.ConnectionString, "routed");
        await routed.CreateIfNotExistsAsync();
        var body = await File.ReadAllBytesAsync(Path.Combine(RepoPaths.Shared, "data", "iothub-routing", "myhub_00_2026_11_20_08_01.json"));
        await routed.UploadBlobAsync("pre/myhub/00/2026/11/20/08/01.json", BinaryData.FromBytes(body));
        await routed.UploadBlobAsync("other/myhub/00/2026/11/20/08/02.json", BinaryData.FromBytes(body));
        var access = new AzureAccess(new Dictionary<string, string?> { [LakeLocations.SourceConnectionStringVariable] = azurite.ConnectionString }.GetValueOrDefault);

        var source = LakeLocations.OpenSource(azurite.BlobEndpoint + "/routed/pre", access);
        var files = await source.ListAsync(CancellationToken.None);

        // before: the first path segment (the account, devstoreaccount1) was taken for the container
        Assert.Equal(["myhub/00/2026/11/20/08/01.json"], files.Select(f => f.Name));
        await using (var stream = await source.OpenReadAsync(files[0], CancellationToken.None))
        using (var copy = new MemoryStream())
        {
            await stream.CopyToAsync(copy);
            Assert.Equal(body, copy.ToArray());
        }
    }

    [Fact]
    public async Task AzureIdentity_SourceAndLakeInAzuriteOverHttps_LandRefineAndBuildWithBearerTokens()
    {
        using var temp = new TempDirectory("lake-identity");
        await using var azurite = await AzuriteServer.StartWithOAuthAsync();
        using var http = azurite.CreateTrustingHttpClient();
        var admin = new BlobServiceClient(azurite.ConnectionString, BlobClientFactory.ClientOptions(http));
        await admin.GetBlobContainerClient("routed").CreateIfNotExistsAsync();
        await admin.GetBlobContainerClient("lake").CreateIfNotExistsAsync();
        await admin.GetBlobContainerClient("routed").UploadBlobAsync("pre/myhub/00/2026/11/20/08/01.json",
            BinaryData.FromBytes(await File.ReadAllBytesAsync(Path.Combine(RepoPaths.Shared, "data", "iothub-routing", "myhub_00_2026_11_20_08_01.json"))));
        var credential = new TestTokenCredential();
        // no connection string anywhere: auto picks Azure.Identity (the injected credential)
        var access = new AzureAccess(_ => null, () => credential, http);

        var source = LakeLocations.OpenSource(azurite.BlobEndpoint + "/routed/pre", access);
        using var lake = new LakeContext(LakeLocations.OpenLake(azurite.BlobEndpoint + "/lake/prod", access), TimeProvider.System, temp.Combine("scratch"));
        await new ReferenceLoader(lake).LoadAsync(WriteReference(temp.Combine("reference")), CancellationToken.None);
        await new LakehousePipeline(lake, source, NullLoggerFactory.Instance).RunUntilIdleAsync(CancellationToken.None);

        using var connection = lake.Connect();
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.BronzeTelemetry, "bronze");
        await LakeAssertions.ViewAsync(lake, connection, LakeTables.Batch, "batches");
        Assert.True(LakeAssertions.Count(connection, "SELECT * FROM bronze") > 0, "nothing landed");
        Assert.True(LakeAssertions.Count(connection, "SELECT * FROM batches") > 0, "nothing refined");
        var written = new List<string>();
        await foreach (var blob in admin.GetBlobContainerClient("lake").GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = "prod/" }))
        {
            written.Add(blob.Name);
        }
        Assert.Contains(written, n => n.StartsWith("prod/bronze/telemetry/_delta_log/", StringComparison.Ordinal));
        Assert.Contains(written, n => n.StartsWith("prod/gold/", StringComparison.Ordinal));
        var leases = new List<string>();
        await foreach (var blob in admin.GetBlobContainerClient("routed").GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = "_ownership/" }))
        {
            leases.Add(blob.Name);
        }
        Assert.Equal(["_ownership/myhub/00.lease"], leases);
        Assert.NotEmpty(credential.Scopes);
        Assert.All(credential.Scopes, s => Assert.Equal("https://storage.azure.com/.default", s));
    }

    [Fact]
    public async Task AzureIdentity_TokenForAnotherAudience_RefusedByAzurite()
    {
        await using var azurite = await AzuriteServer.StartWithOAuthAsync();
        using var http = azurite.CreateTrustingHttpClient();
        await new BlobServiceClient(azurite.ConnectionString, BlobClientFactory.ClientOptions(http)).GetBlobContainerClient("routed").CreateIfNotExistsAsync();
        var access = new AzureAccess(_ => null, () => new TestTokenCredential(audience: "https://iothubs.azure.net"), http);
        var source = LakeLocations.OpenSource(azurite.BlobEndpoint + "/routed", access);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => source.ListAsync(CancellationToken.None));

        Assert.Equal(403, error.Status);
        Assert.DoesNotContain(TestTokenCredential.Marker, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AzureIdentity_NoCredentialAvailable_ErrorSaysWhatAndWhichSettings()
    {
        await using var azurite = await AzuriteServer.StartWithOAuthAsync();
        using var http = azurite.CreateTrustingHttpClient();
        var access = new AzureAccess(_ => null, () => new TestTokenCredential(unavailable: true), http);
        var source = LakeLocations.OpenSource(azurite.BlobEndpoint + "/routed", access);

        var error = await Assert.ThrowsAsync<AzureCredentialException>(() => source.ListAsync(CancellationToken.None));

        Assert.Contains("blob source " + azurite.BlobEndpoint + "/routed", error.Message, StringComparison.Ordinal);
        Assert.Contains("no RETAILEDGE_SOURCE_CONNECTION_STRING", error.Message, StringComparison.Ordinal);
        Assert.Contains("no credential available", error.Message, StringComparison.Ordinal);
        Assert.Contains("https://storage.azure.com/.default", error.Message, StringComparison.Ordinal);
    }

    internal static string WriteReference(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, ReferenceCsv.StoreFile), ReferenceCsv.FormatStores(
            [new StoreReference(17, "Seventeen", "north", "Europe/Berlin", "store017-gw"), new StoreReference(18, "Eighteen", "south", "Europe/Berlin", "store018-gw")]));
        File.WriteAllText(Path.Combine(folder, ReferenceCsv.ItemFile), ReferenceCsv.FormatItems(
            [new ItemReference(1001, "Apples", "produce", 1, 5, "kg", 1.99m, 1.20m), new ItemReference(1002, "Pears", "produce", 1, 5, "kg", 2.49m, 1.50m)]));
        File.WriteAllText(Path.Combine(folder, ReferenceCsv.ChangeTypeFile), ReferenceCsv.FormatChangeTypes(
            [new ChangeTypeReference(1, "sale"), new ChangeTypeReference(2, "return"), new ChangeTypeReference(3, "shrink"), new ChangeTypeReference(4, "receipt"), new ChangeTypeReference(5, "bopis")]));
        return folder;
    }
}
