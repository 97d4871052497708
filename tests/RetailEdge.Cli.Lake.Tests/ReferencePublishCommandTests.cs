using System.Text.RegularExpressions;
using RetailEdge.Contracts.Reference;
using RetailEdge.Simulator;

namespace RetailEdge.Cli.Lake.Tests;

/// <summary>
/// `retailedge reference publish` against the hub emulator over real sockets and 20 StoreGateway
/// modules (the real host, in this process, each with its own MQTT connection to the emulator) with
/// the reference profile's 8,000-item assortments, which travel as files beside the lake.
/// </summary>
[Collection(LakeCollection.Name)]
public sealed partial class ReferencePublishCommandTests
{
    private const int Stores = 20;

    [Fact]
    public async Task Publish_TwentyStoresEightThousandItems_ReportedThenIdempotentThenOnlyChangedStoresAndOfflineStoreCatchesUp()
    {
        var catalog = new StoreSimulator(new SimulationOptions { Profile = SimulationProfile.Reference.Name, Stores = Stores, Seed = 15 }).Catalog;
        var tables = new ReferenceTables(catalog.Stores, catalog.Items, catalog.ChangeTypes, catalog.Assortment);
        await using var fleet = await ReferenceFleet.StartAsync("refpub-fleet");
        await fleet.LoadReferenceAsync(tables);
        foreach (var store in catalog.Stores)
        {
            await fleet.RegisterAsync(store);
            await fleet.StartGatewayAsync(store.StoreId);
        }
        var storeIds = catalog.Stores.Select(s => s.StoreId).ToList();

        // --dry-run: every store would be patched, nothing is
        var dryRun = await CliRun.RunAsync(["reference", "publish", "--lake", fleet.LakePath, .. fleet.HubArguments(), "--dry-run"]);
        Assert.Equal(0, dryRun.ExitCode);
        Assert.Equal(Stores, Lines(dryRun.Output, "would patch").Count);
        Assert.Contains("by url", dryRun.Output, StringComparison.Ordinal);
        Assert.Null((await fleet.Service.GetModuleTwinAsync("store001-gw", "StoreGateway")).Desired["referenceData"]);

        // publish: every module reports its store's version within 30 s
        var versions = ReferenceFleet.VersionsOf(tables);
        var first = await CliRun.RunAsync(["reference", "publish", "--lake", fleet.LakePath, .. fleet.HubArguments()]);
        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        Assert.Equal(Stores, Lines(first.Output, "patched").Count);
        Assert.Contains($"{Stores} store(s): {Stores} patched", first.Output, StringComparison.Ordinal);
        var took = await fleet.WaitReportedAsync(storeIds, (s, r) => ReferenceFleet.Text(r, "referenceDataVersion") == versions[s], TimeSpan.FromSeconds(30));
        Assert.All(storeIds, s => Assert.Null(ReferenceFleet.Text(fleet.ReportedAsync(s).Result, "referenceDataError")));
        Assert.True(took < TimeSpan.FromSeconds(30), $"took {took}");

        // again, nothing changed: nothing is patched (the twins' desired versions stay as they are)
        var desiredBefore = (await fleet.Service.GetModuleTwinAsync("store001-gw", "StoreGateway")).DesiredVersion;
        var again = await CliRun.RunAsync(["reference", "publish", "--lake", fleet.LakePath, .. fleet.HubArguments()]);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains($"{Stores} store(s): 0 patched, {Stores} unchanged", again.Output, StringComparison.Ordinal);
        Assert.Equal(desiredBefore, (await fleet.Service.GetModuleTwinAsync("store001-gw", "StoreGateway")).DesiredVersion);

        // one item's price changes: exactly the stores that carry it are patched; one of them is offline meanwhile
        var carriers = storeIds.ToDictionary(s => s, s => catalog.ItemIdsOf(s));
        var item = catalog.Items.First(i => carriers.Values.Count(c => c.Contains(i.ItemId)) is > 1 and < Stores);
        var carrying = storeIds.Where(s => carriers[s].Contains(item.ItemId)).ToList();
        var offline = carrying[0];
        await fleet.StopGatewayAsync(offline);
        var changed = tables with { Items = [.. tables.Items.Select(i => i.ItemId == item.ItemId ? i with { UnitPrice = i.UnitPrice + 1m } : i)] };
        await fleet.LoadReferenceAsync(changed);
        var newVersions = ReferenceFleet.VersionsOf(changed);
        var third = await CliRun.RunAsync(["reference", "publish", "--lake", fleet.LakePath, .. fleet.HubArguments()]);
        Assert.Equal(0, third.ExitCode);
        Assert.Equal(carrying, Lines(third.Output, "patched"));
        Assert.Equal(storeIds.Except(carrying), Lines(third.Output, "unchanged"));
        var online = carrying.Skip(1).ToList();
        await fleet.WaitReportedAsync(online, (s, r) => ReferenceFleet.Text(r, "referenceDataVersion") == newVersions[s], TimeSpan.FromSeconds(30));
        Assert.Equal(versions[offline], ReferenceFleet.Text(await fleet.ReportedAsync(offline), "referenceDataVersion"));

        // the offline store reconnects: it reads its twin and applies the set published while it was away
        await fleet.StartGatewayAsync(offline);
        await fleet.WaitReportedAsync([offline], (s, r) => ReferenceFleet.Text(r, "referenceDataVersion") == newVersions[s], TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Publish_BadArguments_ExitTwoWithTheReason()
    {
        await using var fleet = await ReferenceFleet.StartAsync("refpub-args");
        var noHub = await CliRun.RunAsync("reference", "publish", "--lake", fleet.LakePath);
        var badStores = await CliRun.RunAsync(["reference", "publish", "--lake", fleet.LakePath, .. fleet.HubArguments(), "--stores", "1,x"]);
        var noTables = await CliRun.RunAsync(["reference", "publish", "--lake", fleet.LakePath, .. fleet.HubArguments()]);

        Assert.Equal(CliApp.UsageError, noHub.ExitCode);
        Assert.Contains("--iothub", noHub.Error, StringComparison.Ordinal);
        Assert.Equal(CliApp.UsageError, badStores.ExitCode);
        Assert.Contains("--stores '1,x'", badStores.Error, StringComparison.Ordinal);
        Assert.Equal(CliApp.UsageError, noTables.ExitCode);
        Assert.Contains("reference load", noTables.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_StoresOptionAndStoreWithoutTwin_OnlyThoseAndExitOne()
    {
        var catalog = new StoreSimulator(new SimulationOptions { Stores = 3, Seed = 3 }).Catalog;
        await using var fleet = await ReferenceFleet.StartAsync("refpub-some");
        await fleet.LoadReferenceAsync(new ReferenceTables(catalog.Stores, catalog.Items, catalog.ChangeTypes, catalog.Assortment));
        await fleet.RegisterAsync(catalog.Stores[0]);
        await fleet.RegisterAsync(catalog.Stores[1]);

        var some = await CliRun.RunAsync(["reference", "publish", "--lake", fleet.LakePath, .. fleet.HubArguments(), "--stores", "2"]);
        var all = await CliRun.RunAsync(["reference", "publish", "--lake", fleet.LakePath, .. fleet.HubArguments()]);

        Assert.Equal(0, some.ExitCode);
        Assert.Equal([2], Lines(some.Output, "patched"));
        Assert.Equal(ReferenceCommand.IncompleteExitCode, all.ExitCode);
        Assert.Equal([1], Lines(all.Output, "patched"));
        Assert.Equal([2], Lines(all.Output, "unchanged"));
        Assert.Equal([3], Lines(all.Output, "no twin"));
        // small sets travel inline: no file is written
        Assert.False(Directory.Exists(Path.Combine(fleet.LakePath, "_published")));
    }

    [Fact]
    public async Task ProcessorRun_WithHub_PublishesChangedReferenceTablesAndNothingWhenUnchanged()
    {
        var catalog = new StoreSimulator(new SimulationOptions { Stores = 2, Seed = 5 }).Catalog;
        var tables = new ReferenceTables(catalog.Stores, catalog.Items, catalog.ChangeTypes, catalog.Assortment);
        await using var fleet = await ReferenceFleet.StartAsync("refpub-processor");
        await fleet.LoadReferenceAsync(tables);
        foreach (var store in catalog.Stores)
        {
            await fleet.RegisterAsync(store);
        }
        var routed = fleet.Directory.Combine("routed");
        Directory.CreateDirectory(routed);
        string?[] DesiredVersions(IEnumerable<RetailEdge.IotHubService.Twin> twins) =>
            [.. twins.Select(t => (t.Desired["referenceData"] as System.Text.Json.Nodes.JsonObject)?["version"]?.GetValue<string>())];

        var run = await CliRun.RunAsync(["processor", "run", "--source", routed, "--lake", fleet.LakePath, "--once", .. fleet.HubArguments()]);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        var versions = ReferenceFleet.VersionsOf(tables);
        var twins = await Task.WhenAll(catalog.Stores.Select(s => fleet.Service.GetModuleTwinAsync(s.DeviceId, "StoreGateway")));
        Assert.Equal(catalog.Stores.Select(s => versions[s.StoreId]), DesiredVersions(twins));
        var again = await CliRun.RunAsync(["processor", "run", "--source", routed, "--lake", fleet.LakePath, "--once", .. fleet.HubArguments()]);
        Assert.Equal(0, again.ExitCode);
        var after = await Task.WhenAll(catalog.Stores.Select(s => fleet.Service.GetModuleTwinAsync(s.DeviceId, "StoreGateway")));
        Assert.Equal(twins.Select(t => t.DesiredVersion), after.Select(t => t.DesiredVersion));
    }

    /// <summary>The store ids of the output lines with this action ("store 3 (store003-gw): patched, …").</summary>
    private static List<int> Lines(string output, string action) =>
        [.. output.Split('\n').Select(l => StoreLine().Match(l)).Where(m => m.Success && m.Groups[2].Value == action).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"^store (\d+) \([^)]*\): ([a-z ]+),")]
    private static partial Regex StoreLine();
}
