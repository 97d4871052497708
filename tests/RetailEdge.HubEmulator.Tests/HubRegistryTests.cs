using RetailEdge.HubEmulator.Registry;
using RetailEdge.IotHub;
using RetailEdge.IotHub.Credentials;
using RetailEdge.Testing;

namespace RetailEdge.HubEmulator.Tests;

public class HubRegistryTests
{
    [Fact]
    public async Task OpenOrCreateAsync_MissingFile_CreatesOwnerOnlyFileWithServiceKey()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("sub", "registry.json");

        var registry = await HubRegistry.OpenOrCreateAsync(path, "myhub");

        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        Assert.Equal(32, Convert.FromBase64String(registry.ServicePolicy.PrimaryKey).Length);
        var service = IotHubConnectionString.Parse(registry.ServiceConnectionString());
        Assert.True(service.IsServicePolicy);
        Assert.Equal("myhub.azure-devices.net", service.HostName);
        Assert.Empty(Directory.GetFiles(dir.Combine("sub"), "*.tmp"));
    }

    [Fact]
    public async Task AddModuleAsync_TwiceThenReopen_SameKeyPersistedAndDistinctKeys()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("registry.json");
        var registry = await HubRegistry.OpenOrCreateAsync(path, "myhub");

        var first = await registry.AddModuleAsync("store017-gw", "StoreGateway");
        var again = await registry.AddModuleAsync("store017-gw", "StoreGateway");
        var other = await registry.AddModuleAsync("store017-gw", "Simulator");
        var reopened = await HubRegistry.OpenAsync(path);

        Assert.Equal(first.PrimaryKey, again.PrimaryKey);
        Assert.NotEqual(first.PrimaryKey, other.PrimaryKey);
        Assert.Equal(first.PrimaryKey, reopened.FindModule("store017-gw", "StoreGateway")!.PrimaryKey);
        Assert.Single(reopened.Devices);
        var cs = IotHubConnectionString.Parse(reopened.ModuleConnectionString("store017-gw", "StoreGateway"));
        Assert.True(cs.IsModule);
        Assert.Equal(first.PrimaryKey, cs.SharedAccessKey);
    }

    [Fact]
    public async Task OpenOrCreateAsync_OtherHubName_FailsNamingTheHub()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("registry.json");
        await HubRegistry.OpenOrCreateAsync(path, "hubone");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => HubRegistry.OpenOrCreateAsync(path, "hubtwo"));

        Assert.Contains("hubone", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_CorruptFile_FailsWithFileName()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("registry.json");
        await File.WriteAllTextAsync(path, "{ not json");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => HubRegistry.OpenAsync(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ok-id_1")]
    [InlineData("store017-gw")]
    [InlineData("$edgeAgent")]
    public void IsValidId_AllowedCharacters_True(string id) => Assert.True(HubRegistry.IsValidId(id));

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("has space")]
    [InlineData("é")]
    public void IsValidId_ForbiddenCharacters_False(string id) => Assert.False(HubRegistry.IsValidId(id));

    [Fact]
    public async Task AddModuleAsync_InvalidId_Throws()
    {
        using var dir = new TempDirectory();
        var registry = await HubRegistry.OpenOrCreateAsync(dir.Combine("r.json"), "myhub");

        await Assert.ThrowsAsync<ArgumentException>(() => registry.AddModuleAsync("dev/ice", "m"));
    }

    [Fact]
    public async Task PutDeviceAsync_CreateTwiceUpdateWithETagReopen_ConflictThenUpdatedAndPersisted()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("r.json");
        var registry = await HubRegistry.OpenOrCreateAsync(path, "myhub");
        var givenKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

        var created = await registry.PutDeviceAsync("gw1", new IdentitySettings { PrimaryKey = givenKey }, ifMatch: null);
        var again = await registry.PutDeviceAsync("gw1", new IdentitySettings(), ifMatch: null);
        var stale = await registry.PutDeviceAsync("gw1", new IdentitySettings { Status = "disabled" }, ifMatch: "\"not-the-etag\"");
        var updated = await registry.PutDeviceAsync("gw1", new IdentitySettings { Status = "disabled" }, ifMatch: "\"" + created.Identity!.ETag + "\"");
        var reopened = await HubRegistry.OpenAsync(path);

        Assert.Equal(RegistryStatus.Created, created.Status);
        Assert.Equal(givenKey, created.Identity.PrimaryKey);
        Assert.Equal(32, Convert.FromBase64String(created.Identity.SecondaryKey).Length);
        Assert.Equal(RegistryStatus.DeviceAlreadyExists, again.Status);
        Assert.Equal(RegistryStatus.PreconditionFailed, stale.Status);
        Assert.Equal(RegistryStatus.Updated, updated.Status);
        Assert.NotEqual(created.Identity.ETag, updated.Identity!.ETag);
        var device = reopened.FindDevice("gw1")!;
        Assert.Equal("disabled", device.Status);
        Assert.Equal(givenKey, device.PrimaryKey);
        Assert.Equal(created.Identity.SecondaryKey, device.SecondaryKey);
        Assert.Equal(updated.Identity.ETag, device.ETag);
        Assert.Equal(new RegistryStatistics(1, 0, 1), reopened.Statistics());
    }

    [Fact]
    public async Task PutModuleAsync_MissingDeviceThenDeleteDevice_DeviceNotFoundAndModulesGone()
    {
        using var dir = new TempDirectory();
        var registry = await HubRegistry.OpenOrCreateAsync(dir.Combine("r.json"), "myhub");

        var orphan = await registry.PutModuleAsync("gw1", "m1", new IdentitySettings(), ifMatch: null);
        await registry.PutDeviceAsync("gw1", new IdentitySettings { IotEdge = true }, ifMatch: null);
        var module = await registry.PutModuleAsync("gw1", "m1", new IdentitySettings(), ifMatch: null);
        var modules = registry.FindDevice("gw1")!.Modules.Select(m => m.ModuleId).Order(StringComparer.Ordinal).ToList();
        var deleted = await registry.DeleteDeviceAsync("gw1", "*");
        var deletedAgain = await registry.DeleteDeviceAsync("gw1", "*");

        Assert.Equal(RegistryStatus.DeviceNotFound, orphan.Status);
        Assert.Equal(RegistryStatus.Created, module.Status);
        Assert.Equal(["$edgeAgent", "$edgeHub", "m1"], modules);
        Assert.Equal(RegistryStatus.Deleted, deleted.Status);
        Assert.Equal(RegistryStatus.DeviceNotFound, deletedAgain.Status);
        Assert.Null(registry.KeyOf(new IdentityKey("gw1", "m1")));
    }

    [Theory]
    [InlineData("c2hvcnQ=", null)]
    [InlineData(null, "bad status")]
    public async Task PutDeviceAsync_InvalidSettings_InvalidAndNothingSaved(string? key, string? status)
    {
        using var dir = new TempDirectory();
        var registry = await HubRegistry.OpenOrCreateAsync(dir.Combine("r.json"), "myhub");

        var result = await registry.PutDeviceAsync("gw1", new IdentitySettings { PrimaryKey = key, Status = status }, ifMatch: null);

        Assert.Equal(RegistryStatus.Invalid, result.Status);
        Assert.Null(registry.FindDevice("gw1"));
    }

    [Fact]
    public async Task OpenAsync_FileWithoutSecondaryKeys_KeysGeneratedAndKept()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("r.json");
        const string key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
        await File.WriteAllTextAsync(path, $$"""
            {"hubName":"myhub","servicePolicy":{"name":"service","primaryKey":"{{key}}"},
             "devices":[{"deviceId":"d","primaryKey":"{{key}}","generationId":"1","modules":[{"moduleId":"m","primaryKey":"{{key}}","generationId":"2"}]}]}
            """);

        var first = await HubRegistry.OpenAsync(path);
        var second = await HubRegistry.OpenAsync(path);

        var module = first.FindModule("d", "m")!;
        Assert.Equal(32, Convert.FromBase64String(module.SecondaryKey).Length);
        Assert.Equal(module.SecondaryKey, second.FindModule("d", "m")!.SecondaryKey);
        Assert.Equal(first.FindDevice("d")!.ETag, second.FindDevice("d")!.ETag);
        Assert.Equal("enabled", second.FindDevice("d")!.Status);
    }
}
