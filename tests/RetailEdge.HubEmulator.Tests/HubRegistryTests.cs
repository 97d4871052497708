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
}
