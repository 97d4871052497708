using System.Text.Json.Nodes;
using RetailEdge.Deployment;
using RetailEdge.HubEmulator;
using RetailEdge.IotHubService;
using RetailEdge.Testing;

namespace RetailEdge.Cli.Lake.Tests;

/// <summary>
/// `retailedge deploy` against the hub emulator over real sockets: the repository's own
/// edge/deployment.template.json rendered per store from device tags, applied with
/// applyConfigurationContent, shown by `fleet status`; dry runs and invalid manifests change nothing.
/// </summary>
[Collection(LakeCollection.Name)]
public sealed class DeployCommandTests : IAsyncLifetime
{
    private const string RegistryPassword = "registry-pass-7f3e9c";
    private static readonly string Template = Path.Combine(RepoPaths.Root, "edge", "deployment.template.json");
    private readonly TempDirectory _directory = new("deploy-cli");
    private HubEmulator.HubEmulator _emulator = null!;
    private IotHubServiceClient _service = null!;

    public async Task InitializeAsync()
    {
        _emulator = new HubEmulator.HubEmulator(new HubEmulatorOptions
        {
            RegistryPath = _directory.Combine("registry.json"),
            HubName = "deployhub",
            RoutingTarget = _directory.Combine("routing"),
        });
        await _emulator.StartAsync(CancellationToken.None);
        _service = new IotHubServiceClient(new IotHubServiceClientOptions { ConnectionString = _emulator.Registry.ServiceConnectionString(), Endpoint = _emulator.RestBaseAddress });
        // three pilot stores and one store outside the target condition
        foreach (var (device, store, ring) in new[] { ("store001-gw", 1, "pilot"), ("store002-gw", 2, "pilot"), ("store003-gw", 3, "pilot"), ("store004-gw", 4, "later") })
        {
            await _emulator.Registry.AddDeviceAsync(device);
            await _service.UpdateDeviceTwinAsync(device, null, new JsonObject
            {
                ["storeId"] = store, ["ring"] = ring, ["storeLanAddress"] = $"10.0.{store}.2",
            });
        }
    }

    public async Task DisposeAsync()
    {
        _service.Dispose();
        await _emulator.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Deploy_TargetCondition_EachEdgeAgentTwinHoldsTheManifestWithItsOwnStoreId()
    {
        var run = await DeployAsync(Template, "--target-condition", "tags.ring = 'pilot'");

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Error}");
        foreach (var store in new[] { 1, 2, 3 })
        {
            var device = $"store00{store}-gw";
            var agent = await _service.GetModuleTwinAsync(device, "$edgeAgent");
            var gateway = agent.Desired["modules"]!["StoreGateway"]!;
            Assert.Equal(store.ToString(System.Globalization.CultureInfo.InvariantCulture), (string)gateway["env"]!["StoreGateway__StoreId"]!["value"]!);
            // the image from edge/modules/StoreGateway/module.json: registry from the environment, version, platform
            Assert.Equal("registry.example.test/storegateway:0.1.0-amd64", (string)gateway["settings"]!["image"]!);
            // the store's LAN address from its tags inside createOptions, which is still JSON
            var createOptions = JsonNode.Parse((string)gateway["settings"]!["createOptions"]!)!;
            Assert.Equal($"10.0.{store}.2", (string)createOptions["HostConfig"]!["PortBindings"]!["8080/tcp"]![0]!["HostIp"]!);
            // the registry password reaches the edge agent (it pulls with it) but never the terminal
            Assert.Equal(RegistryPassword, (string)agent.Desired["runtime"]!["settings"]!["registryCredentials"]!["retailedge"]!["password"]!);
            var hub = await _service.GetModuleTwinAsync(device, "$edgeHub");
            Assert.NotNull(hub.Desired["routes"]!["gatewayToHub"]);
            var module = await _service.GetModuleTwinAsync(device, "StoreGateway");
            Assert.Equal(60, (int)module.Desired["windowSeconds"]!);
            var tag = (await _service.GetDeviceTwinAsync(device)).Tags[DeploymentRecord.TagName]!;
            Assert.StartsWith("retailedge-", (string)tag["id"]!, StringComparison.Ordinal);
            Assert.Contains($"applied to {device} store {store}: StoreGateway=registry.example.test/storegateway:0.1.0-amd64", run.Output, StringComparison.Ordinal);
        }
        Assert.DoesNotContain(RegistryPassword, run.Output + run.Error, StringComparison.Ordinal);
        // the store outside the condition got nothing
        var outside = await Assert.ThrowsAsync<IotHubServiceException>(() => _service.GetModuleTwinAsync("store004-gw", "$edgeAgent"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, outside.StatusCode);

        // fleet status shows per store which deployment and image each gateway runs
        foreach (var store in new[] { 1, 2, 3 })
        {
            await _emulator.Registry.AddModuleAsync($"store00{store}-gw", "StoreGateway");
        }
        var status = await CliRun.RunAsync(["fleet", "status", .. Hub(), "--json"]);
        Assert.True(status.ExitCode == 0, $"exit {status.ExitCode}: {status.Error}");
        var rows = status.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal("registry.example.test/storegateway:0.1.0-amd64", (string)r["moduleImage"]!));
        Assert.Single(rows.Select(r => (string)r["deployment"]!).Distinct());
        Assert.StartsWith("retailedge-", (string)rows[0]["deployment"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_DryRun_PrintsWhatWouldBeAppliedAndChangesNothing()
    {
        var before = await _service.GetDeviceTwinAsync("store002-gw");

        var run = await DeployAsync(Template, "--device", "store002-gw", "--dry-run");

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Error}");
        Assert.Contains("dry run: nothing is changed", run.Output, StringComparison.Ordinal);
        Assert.Contains("would apply to store002-gw store 2: StoreGateway=registry.example.test/storegateway:0.1.0-amd64", run.Output, StringComparison.Ordinal);
        var after = await _service.GetDeviceTwinAsync("store002-gw");
        Assert.Equal(before.Version, after.Version);
        Assert.Null(after.Tags[DeploymentRecord.TagName]);
        var modules = await Assert.ThrowsAsync<IotHubServiceException>(() => _service.GetModuleTwinAsync("store002-gw", "$edgeAgent"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, modules.StatusCode);
    }

    [Theory]
    [InlineData("route", "route")]
    [InlineData("createOptions", "create_options")]
    [InlineData("oversize", "twin_limit")]
    public async Task Deploy_InvalidManifest_RefusedWithTheReasonExitTwoAndNoDeviceChanged(string defect, string code)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Template))!.AsObject();
        var content = manifest["modulesContent"]!;
        switch (defect)
        {
            case "route":
                content["$edgeHub"]!["properties.desired"]!["routes"]!["gatewayToHub"]!["route"] = "FROM /messages/modules/StoreGateway/* INTO upstream";
                break;
            case "createOptions":
                content["$edgeAgent"]!["properties.desired"]!["modules"]!["StoreGateway"]!["settings"]!["createOptions"] = "{\"User\":\"app\",\"HostConfig\":";
                break;
            default:
                // nine values of 4,000 bytes each: every value fits, the module twin (32 KB) does not
                var desired = content["StoreGateway"]!["properties.desired"]!.AsObject();
                for (var i = 0; i < 9; i++)
                {
                    desired["note" + i] = new string('x', 4000);
                }
                break;
        }
        var path = _directory.Combine($"deployment.{defect}.json");
        File.WriteAllText(path, manifest.ToJsonString());

        // a copy outside edge/ has no modules/StoreGateway/module.json beside it: the image comes from --set
        var run = await DeployAsync(path, "--target-condition", "tags.ring = 'pilot'", "--set", "MODULES.StoreGateway=registry.example.test/storegateway:0.1.0-amd64");

        Assert.Equal(CliApp.UsageError, run.ExitCode);
        Assert.Contains($"manifest refused: {code} at ", run.Error, StringComparison.Ordinal);
        Assert.Contains("every device", run.Error, StringComparison.Ordinal);
        foreach (var device in new[] { "store001-gw", "store002-gw", "store003-gw" })
        {
            var missing = await Assert.ThrowsAsync<IotHubServiceException>(() => _service.GetModuleTwinAsync(device, "$edgeAgent"));
            Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Null((await _service.GetDeviceTwinAsync(device)).Tags[DeploymentRecord.TagName]);
        }
    }

    [Fact]
    public async Task Deploy_Configuration_HubAppliesItToMatchingDevicesIncludingLaterOnesAndHigherPriorityWins()
    {
        // a fleet-wide manifest: the same for every device (no per-store values)
        var fleetWide = _directory.Combine("fleet-wide.json");
        File.WriteAllText(fleetWide, File.ReadAllText(Template).Replace("${STORE_ID}", "0", StringComparison.Ordinal).Replace("${STORE_LAN_ADDRESS}", "0.0.0.0", StringComparison.Ordinal));
        string[] images = ["--set", "MODULES.StoreGateway=registry.example.test/storegateway:0.2.0-amd64"];

        var perStore = await DeployAsync(Template, "--target-condition", "tags.ring = 'pilot'", "--configuration", "pilot-base");
        var base10 = await DeployAsync(fleetWide, ["--target-condition", "tags.ring = 'pilot'", "--configuration", "pilot-base", "--priority", "10", .. images]);

        Assert.Equal(CliApp.UsageError, perStore.ExitCode);
        Assert.Contains("renders differently per device", perStore.Error, StringComparison.Ordinal);
        Assert.True(base10.ExitCode == 0, $"exit {base10.ExitCode}: {base10.Error}");
        Assert.Contains("configuration pilot-base (priority 10, tags.ring = 'pilot'): targeted 3, applied 3", base10.Output, StringComparison.Ordinal);
        foreach (var device in new[] { "store001-gw", "store002-gw", "store003-gw" })
        {
            Assert.Equal("registry.example.test/storegateway:0.2.0-amd64", await GatewayImageAsync(device));
        }
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await Assert.ThrowsAsync<IotHubServiceException>(() => _service.GetModuleTwinAsync("store004-gw", "$edgeAgent"))).StatusCode);

        // a device that joins the condition later gets the configuration from the hub, without another deploy
        await _service.UpdateDeviceTwinAsync("store004-gw", null, new JsonObject { ["ring"] = "pilot" });
        Assert.Equal("registry.example.test/storegateway:0.2.0-amd64", await GatewayImageAsync("store004-gw"));

        // a higher-priority configuration over the same devices wins everywhere
        var hotfix = await DeployAsync(fleetWide, "--target-condition", "tags.ring = 'pilot'", "--configuration", "pilot-hotfix", "--priority", "20",
            "--set", "MODULES.StoreGateway=registry.example.test/storegateway:0.2.1-amd64");
        Assert.True(hotfix.ExitCode == 0, $"exit {hotfix.ExitCode}: {hotfix.Error}");
        foreach (var device in new[] { "store001-gw", "store002-gw", "store003-gw", "store004-gw" })
        {
            Assert.Equal("registry.example.test/storegateway:0.2.1-amd64", await GatewayImageAsync(device));
        }
        var baseView = await _service.GetConfigurationAsync("pilot-base");
        Assert.Equal(4, (int)baseView["systemMetrics"]!["results"]!["targetedCount"]!);
        Assert.Equal(0, (int)baseView["systemMetrics"]!["results"]!["appliedCount"]!);
        Assert.Equal(CliApp.UsageError, (await CliRun.RunAsync(["deploy", "--manifest", fleetWide, "--device", "store001-gw", "--configuration", "x", .. Hub()])).ExitCode);
    }

    private async Task<string> GatewayImageAsync(string device) =>
        (string)(await _service.GetModuleTwinAsync(device, "$edgeAgent")).Desired["modules"]!["StoreGateway"]!["settings"]!["image"]!;

    [Fact]
    public async Task Deploy_UnresolvedPlaceholderOrNoTarget_UsageErrorNamingIt()
    {
        var noVersion = await CliRun.RunAsync(["deploy", "--manifest", Template, "--device", "store001-gw", "--set", "MODULES.StoreSimulator=sim:1", .. Hub()]);
        var noTarget = await CliRun.RunAsync(["deploy", "--manifest", Template, .. Hub()]);

        Assert.Equal(CliApp.UsageError, noVersion.ExitCode);
        Assert.Contains("unresolved_placeholder at EDGE_RUNTIME_VERSION", noVersion.Error, StringComparison.Ordinal);
        Assert.Equal(CliApp.UsageError, noTarget.ExitCode);
        Assert.Contains("--device or --target-condition", noTarget.Error, StringComparison.Ordinal);
    }

    private async Task<CliRun> DeployAsync(string manifest, params string[] target)
    {
        // registry credentials come from the environment, as on a build agent
        var variables = new Dictionary<string, string>
        {
            ["CONTAINER_REGISTRY_SERVER"] = "registry.example.test",
            ["CONTAINER_REGISTRY_USERNAME"] = "puller",
            ["CONTAINER_REGISTRY_PASSWORD"] = RegistryPassword,
        };
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
        try
        {
            return await CliRun.RunAsync(["deploy", "--manifest", manifest, .. target, "--set", "EDGE_RUNTIME_VERSION=1.5",
                "--set", "MODULES.StoreSimulator=registry.example.test/storesimulator:0.1.0-amd64", .. Hub()]);
        }
        finally
        {
            foreach (var name in variables.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    private string[] Hub()
    {
        var path = _directory.Combine("hub.connection");
        File.WriteAllText(path, _emulator.Registry.ServiceConnectionString());
        return ["--iothub", path, "--iothub-endpoint", _emulator.RestBaseAddress.ToString()];
    }
}
