using System.Text.Json.Nodes;
using RetailEdge.Contracts.Twin;
using RetailEdge.HubEmulator.Registry;
using RetailEdge.HubEmulator.Twins;
using RetailEdge.Testing;

namespace RetailEdge.HubEmulator.Tests;

public class TwinStoreTests
{
    private static async Task<(TwinStore Store, IdentityKey Id, TempDirectory Dir)> CreateAsync()
    {
        var dir = new TempDirectory();
        var registry = await HubRegistry.OpenOrCreateAsync(dir.Combine("r.json"), "myhub");
        await registry.AddModuleAsync("d1", "m1");
        return (new TwinStore(registry, TimeProvider.System), new IdentityKey("d1", "m1"), dir);
    }

    [Fact]
    public async Task PatchReported_MergeAndDelete_VersionIncrements()
    {
        var (store, id, dir) = await CreateAsync();
        using var _ = dir;

        var first = store.PatchReported(id, (JsonObject)JsonNode.Parse("""{"a":1,"b":{"c":2,"d":3}}""")!);
        var second = store.PatchReported(id, (JsonObject)JsonNode.Parse("""{"a":null,"b":{"c":5}}""")!);
        var view = store.GetDeviceView(id)!;

        Assert.Equal(2, first.Version);
        Assert.Equal(3, second.Version);
        Assert.Equal("""{"b":{"c":5,"d":3},"$version":3}""", view["reported"]!.ToJsonString());
    }

    [Fact]
    public async Task PatchReported_TwinVersionAndETagMove()
    {
        var (store, id, dir) = await CreateAsync();
        using var _ = dir;
        var before = store.GetServiceView(id, false)!;

        store.PatchReported(id, (JsonObject)JsonNode.Parse("""{"a":1}""")!);
        var after = store.GetServiceView(id, false)!;

        Assert.Equal(before["version"]!.GetValue<long>() + 1, after["version"]!.GetValue<long>());
        Assert.NotEqual(before["etag"]!.GetValue<string>(), after["etag"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpdateFromService_ModuleTagsWithDesired_BothStoredAndQuotedWildcardMatches()
    {
        var (store, id, dir) = await CreateAsync();
        using var _ = dir;
        var body = (JsonObject)JsonNode.Parse("""{"tags":{"store":"017","region":{"name":"north"}},"properties":{"desired":{"x":1}}}""")!;

        var result = store.UpdateFromService(id, body, "\"*\"", replace: false, connected: false);
        var merged = store.UpdateFromService(id, (JsonObject)JsonNode.Parse("""{"tags":{"store":null,"tier":"gold"}}""")!, null, replace: false, connected: false);

        Assert.Equal(TwinUpdateStatus.Ok, result.Status);
        Assert.Equal("017", result.Twin!["tags"]!["store"]!.GetValue<string>());
        Assert.Equal(1, result.Twin["properties"]!["desired"]!["x"]!.GetValue<int>());
        Assert.Equal("""{"region":{"name":"north"},"tier":"gold"}""", merged.Twin!["tags"]!.ToJsonString());
    }

    [Fact]
    public async Task UpdateFromService_StaleETag_PreconditionFailedAndNothingChanged()
    {
        var (store, id, dir) = await CreateAsync();
        using var _ = dir;
        var etag = store.GetServiceView(id, false)!["etag"]!.GetValue<string>();
        var body = (JsonObject)JsonNode.Parse("""{"properties":{"desired":{"x":1}}}""")!;
        Assert.Equal(TwinUpdateStatus.Ok, store.UpdateFromService(id, body, "\"" + etag + "\"", replace: false, connected: false).Status);

        var stale = store.UpdateFromService(id, (JsonObject)JsonNode.Parse("""{"properties":{"desired":{"x":2}}}""")!, "\"" + etag + "\"", replace: false, connected: false);

        Assert.Equal(TwinUpdateStatus.PreconditionFailed, stale.Status);
        Assert.Equal(1, store.GetDeviceView(id)!["desired"]!["x"]!.GetValue<int>());
    }

    [Fact]
    public async Task UpdateFromService_Replace_RaisesPatchWithNullsForRemovedKeys()
    {
        var (store, id, dir) = await CreateAsync();
        using var _ = dir;
        var patches = new List<DesiredPatch>();
        store.DesiredPatched += patches.Add;
        store.UpdateFromService(id, (JsonObject)JsonNode.Parse("""{"properties":{"desired":{"x":1,"y":2}}}""")!, null, replace: false, connected: true);

        var result = store.UpdateFromService(id, (JsonObject)JsonNode.Parse("""{"properties":{"desired":{"y":3}}}""")!, "*", replace: true, connected: true);

        Assert.Equal(TwinUpdateStatus.Ok, result.Status);
        Assert.Equal(2, patches.Count);
        Assert.Equal(3, patches[1].Version);
        Assert.Equal("""{"x":null,"y":3,"$version":3}""", patches[1].Patch.ToJsonString());
    }

    [Theory]
    [InlineData("""{"properties":{"desired":{"a.b":1}}}""")]
    [InlineData("""{"properties":{"desired":{"a":[1,2]}}}""")]
    [InlineData("""{"properties":{"reported":{"a":1}}}""")]
    [InlineData("""{"properties":{"desired":{"a b":1}}}""")]
    [InlineData("""{"properties":{"desired":{"l1":{"l2":{"l3":{"l4":{"l5":{"l6":{"l7":{"l8":{"l9":{"l10":{"l11":1}}}}}}}}}}}}}""")]
    public async Task UpdateFromService_BreaksTwinRules_Invalid(string body)
    {
        var (store, id, dir) = await CreateAsync();
        using var _ = dir;

        var result = store.UpdateFromService(id, (JsonObject)JsonNode.Parse(body)!, null, replace: false, connected: false);

        Assert.Equal(TwinUpdateStatus.Invalid, result.Status);
        Assert.False(string.IsNullOrEmpty(result.Error));
    }

    [Fact]
    public async Task UpdateFromService_ValueOver4KB_Invalid()
    {
        var (store, id, dir) = await CreateAsync();
        using var _ = dir;
        var body = new JsonObject { ["properties"] = new JsonObject { ["desired"] = new JsonObject { ["big"] = new string('x', 5000) } } };

        Assert.Equal(TwinUpdateStatus.Invalid, store.UpdateFromService(id, body, null, false, false).Status);
    }

    [Fact]
    public async Task GetServiceView_UnknownIdentity_Null()
    {
        var (store, _, dir) = await CreateAsync();
        using var __ = dir;

        Assert.Null(store.GetServiceView(new IdentityKey("d1", "nope"), false));
    }
}
