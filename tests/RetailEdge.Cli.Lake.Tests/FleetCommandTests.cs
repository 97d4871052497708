using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Contracts.Reference;
using RetailEdge.HubEmulator;
using RetailEdge.IotHub;
using RetailEdge.IotHubService;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;
using RetailEdge.Testing;

namespace RetailEdge.Cli.Lake.Tests;

/// <summary>
/// `retailedge fleet status` against the hub emulator over real sockets (live twins) and against
/// the gold.store_health table the processor's monitor writes.
/// </summary>
[Collection(LakeCollection.Name)]
public sealed class FleetCommandTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("fleet-cli");
    private HubEmulator.HubEmulator _emulator = null!;

    private string LakePath => _directory.Combine("lake");

    public async Task InitializeAsync()
    {
        _emulator = new HubEmulator.HubEmulator(new HubEmulatorOptions
        {
            RegistryPath = _directory.Combine("registry.json"),
            HubName = "fleethub",
            RoutingTarget = _directory.Combine("routing"),
        });
        await _emulator.StartAsync(CancellationToken.None);
        var fresh = DateTimeOffset.UtcNow.AddMinutes(-1);
        var old = DateTimeOffset.UtcNow.AddHours(-3);
        await ReportAsync("store001-gw", new JsonObject
        {
            ["version"] = "1.0.0", ["status"] = "running", ["lastSentAt"] = Iso(fresh), ["bufferedBatches"] = 2,
            ["oldestUnsentAgeSeconds"] = 30, ["rejected"] = 4, ["dropped"] = 0, ["referenceDataVersion"] = "sha-1",
        });
        await ReportAsync("store002-gw", new JsonObject
        {
            // a fresh store that reports a bad twin patch, with text that must not be taken as terminal markup
            ["status"] = "[red]degraded", ["lastSentAt"] = Iso(fresh), ["configError"] = "windowSeconds must be 10–3600",
        });
        await ReportAsync("store003-gw", new JsonObject { ["status"] = "running", ["lastSentAt"] = Iso(old), ["bufferedBatches"] = 900 });
        // a device's other module is not a store gateway
        await ReportAsync("store001-gw", new JsonObject { ["status"] = "running" }, "Simulator");

        var reference = _directory.Combine("reference");
        Directory.CreateDirectory(reference);
        File.WriteAllText(Path.Combine(reference, ReferenceCsv.StoreFile), ReferenceCsv.FormatStores(
        [
            new StoreReference(1, "One", "north", "Europe/Berlin", "store001-gw"),
            new StoreReference(2, "Two", "north", "Europe/Berlin", "store002-gw"),
            new StoreReference(3, "Three", "south", "Europe/Berlin", "store003-gw"),
        ]));
        File.WriteAllText(Path.Combine(reference, ReferenceCsv.ItemFile), ReferenceCsv.FormatItems([new ItemReference(1001, "Apples", "produce", 1, 5, "kg", 1.99m, 1.20m)]));
        File.WriteAllText(Path.Combine(reference, ReferenceCsv.ChangeTypeFile), ReferenceCsv.FormatChangeTypes([new ChangeTypeReference(1, "sale")]));
        using var lake = new LakeContext(new LocalLakeStoreFactory(LakePath), TimeProvider.System);
        await new ReferenceLoader(lake).LoadAsync(reference, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _directory.Dispose();
    }

    private string[] Hub() => ["--iothub", SecretFile("hub.connection", _emulator.Registry.ServiceConnectionString()), "--iothub-endpoint", _emulator.RestBaseAddress.ToString()];

    /// <summary>A secret the way an operator hands it over: in a file only they can read, its path on the command line.</summary>
    private string SecretFile(string name, string secret)
    {
        var path = _directory.Combine(name);
        File.WriteAllText(path, secret + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return path;
    }

    [Fact]
    public async Task Status_Live_Json_RowsPerStoreGatewayWithStoresStaleAndErrorsFirst()
    {
        var run = await CliRun.RunAsync(["fleet", "status", .. Hub(), "--lake", LakePath, "--json"]);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Error}");
        var rows = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal(["store002-gw", "store003-gw", "store001-gw"], rows.Select(r => (string)r["deviceId"]!));
        Assert.All(rows, r => Assert.Equal("StoreGateway", (string)r["moduleId"]!));
        Assert.Equal([2, 3, 1], rows.Select(r => (int)r["storeId"]!));
        Assert.Equal([false, false, true], rows.Select(r => (bool)r["healthy"]!));
        Assert.Equal([false, true, false], rows.Select(r => (bool)r["stale"]!));
        Assert.Equal("windowSeconds must be 10–3600", (string)rows[0]["configError"]!);
        Assert.Equal(900, (long)rows[1]["bufferedBatches"]!);
        Assert.Equal(4, (long)rows[2]["rejected"]!);
        Assert.Equal("sha-1", (string)rows[2]["referenceDataVersion"]!);
    }

    [Fact]
    public async Task Status_Live_Table_SummaryLineAndEscapedTwinText()
    {
        var run = await CliRun.RunAsync(["fleet", "status", .. Hub(), "--lake", LakePath]);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Error}");
        Assert.StartsWith("3 store gateway(s): 1 healthy, 1 stale, 1 with errors (from module twins, live", run.Output, StringComparison.Ordinal);
        Assert.Contains("[red]degraded", run.Output, StringComparison.Ordinal);
        Assert.Contains("config: windowSeconds must be 10–3600", run.Output, StringComparison.Ordinal);
        Assert.Contains("3h 0m ago", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("SharedAccessKey", run.Output + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_Check_ExitsOneWhenAnyStoreIsUnhealthy_ZeroWhenTheThresholdCoversThem()
    {
        var unhealthy = await CliRun.RunAsync(["fleet", "status", .. Hub(), "--check", "--json"]);
        // store 2's config error stays an error whatever the threshold; without --lake stores are unknown
        var generous = await CliRun.RunAsync(["fleet", "status", .. Hub(), "--check", "--stale-after", "1d", "--json"]);

        Assert.Equal(FleetCommand.UnhealthyExitCode, unhealthy.ExitCode);
        Assert.Equal(FleetCommand.UnhealthyExitCode, generous.ExitCode);
        var rows = generous.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.All(rows, r => Assert.Null(r["storeId"]));
        Assert.Equal(["store002-gw"], rows.Where(r => !(bool)r["healthy"]!).Select(r => (string)r["deviceId"]!));
    }

    [Fact]
    public async Task Status_Check_HealthyFleet_ExitsZero()
    {
        // a fleet of one fresh, error-free gateway
        await using var emulator = new HubEmulator.HubEmulator(new HubEmulatorOptions
        {
            RegistryPath = _directory.Combine("healthy-registry.json"),
            HubName = "healthyhub",
            RoutingTarget = _directory.Combine("healthy-routing"),
        });
        await emulator.StartAsync(CancellationToken.None);
        await ReportAsync(emulator, "store009-gw", new JsonObject { ["status"] = "running", ["lastSentAt"] = Iso(DateTimeOffset.UtcNow) }, "StoreGateway");

        var run = await CliRun.RunAsync("fleet", "status", "--iothub", SecretFile("healthy.connection", emulator.Registry.ServiceConnectionString()),
            "--iothub-endpoint", emulator.RestBaseAddress.ToString(), "--check");

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Error}");
        Assert.StartsWith("1 store gateway(s): 1 healthy, 0 stale, 0 with errors", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_Lake_ShowsWhatTheMonitorWrote()
    {
        var missing = await CliRun.RunAsync("fleet", "status", "--lake", LakePath);
        Assert.Equal(FleetCommand.NoDataExitCode, missing.ExitCode);
        Assert.Contains("gold/store_health", missing.Error, StringComparison.Ordinal);

        using (var lake = new LakeContext(new LocalLakeStoreFactory(LakePath), TimeProvider.System))
        using (var client = new IotHubServiceClient(new IotHubServiceClientOptions
        {
            ConnectionString = _emulator.Registry.ServiceConnectionString(),
            Endpoint = _emulator.RestBaseAddress,
        }))
        {
            Assert.Equal(3, await new StoreHealthMonitor(lake, client, TimeSpan.FromMinutes(15), NullLogger<StoreHealthMonitor>.Instance).RunOnceAsync(CancellationToken.None));
        }
        var live = await CliRun.RunAsync(["fleet", "status", .. Hub(), "--lake", LakePath, "--json"]);
        var fromLake = await CliRun.RunAsync("fleet", "status", "--lake", LakePath, "--json");
        var table = await CliRun.RunAsync("fleet", "status", "--lake", LakePath);

        Assert.True(fromLake.ExitCode == 0, $"exit {fromLake.ExitCode}: {fromLake.Error}");
        Assert.True(live.ExitCode == 0, $"exit {live.ExitCode}: {live.Error}");
        Assert.Equal(WithoutObservedAt(live.Output), WithoutObservedAt(fromLake.Output));
        Assert.StartsWith("3 store gateway(s): 1 healthy, 1 stale, 1 with errors (from gold.store_health", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessorRunOnce_WithHubEndpoint_WritesStoreHealthThatFleetStatusShows()
    {
        var routed = _directory.Combine("routed");
        Directory.CreateDirectory(routed);

        var processor = await CliRun.RunAsync(["processor", "run", "--source", routed, "--lake", LakePath, "--once", .. Hub()]);
        var status = await CliRun.RunAsync("fleet", "status", "--lake", LakePath, "--json");

        Assert.True(processor.ExitCode == 0, $"exit {processor.ExitCode}: {processor.Error}");
        Assert.True(status.ExitCode == 0, $"exit {status.ExitCode}: {status.Error}");
        var rows = status.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal(["store002-gw", "store003-gw", "store001-gw"], rows.Select(r => (string)r["deviceId"]!));
    }

    [Fact]
    public async Task Status_BadHubSettings_UsageErrorsNamingTheSetting()
    {
        var both = await CliRun.RunAsync(["fleet", "status", .. Hub(), "--iothub-host", "myhub.azure-devices.net"]);
        var badHost = await CliRun.RunAsync("fleet", "status", "--iothub-host", "not a host/name");
        var badEndpoint = await CliRun.RunAsync(["fleet", "status", .. Hub()[..2], "--iothub-endpoint", "ftp://127.0.0.1/"]);

        Assert.Equal(CliApp.UsageError, both.ExitCode);
        Assert.Contains("not both", both.Error, StringComparison.Ordinal);
        Assert.Equal(CliApp.UsageError, badHost.ExitCode);
        Assert.Contains("--iothub-host must be a host name", badHost.Error, StringComparison.Ordinal);
        Assert.Equal(CliApp.UsageError, badEndpoint.ExitCode);
        Assert.Contains("--iothub-endpoint 'ftp://127.0.0.1/' is not an absolute http or https URL", badEndpoint.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_NoHubNoLake_UsageError()
    {
        var previous = Environment.GetEnvironmentVariable("RETAILEDGE_IOTHUB_CONNECTION_STRING");
        Environment.SetEnvironmentVariable("RETAILEDGE_IOTHUB_CONNECTION_STRING", null);
        try
        {
            var run = await CliRun.RunAsync("fleet", "status");
            var badDuration = await CliRun.RunAsync(["fleet", "status", .. Hub(), "--stale-after", "-5m"]);

            Assert.Equal(CliApp.UsageError, run.ExitCode);
            Assert.Contains("--iothub", run.Error, StringComparison.Ordinal);
            Assert.Contains("--lake", run.Error, StringComparison.Ordinal);
            Assert.Equal(CliApp.UsageError, badDuration.ExitCode);
            Assert.Contains("--stale-after '-5m' is negative", badDuration.Error, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("RETAILEDGE_IOTHUB_CONNECTION_STRING", previous);
        }
    }

    [Fact]
    public async Task Status_BadConnectionStringInFile_ErrorNamesTheSettingNotTheValue()
    {
        var run = await CliRun.RunAsync("fleet", "status", "--iothub", SecretFile("bad.connection", "HostName=x;SharedAccessKey=c2VjcmV0LXZhbHVl"));

        Assert.Equal(CliApp.UsageError, run.ExitCode);
        Assert.DoesNotContain("c2VjcmV0LXZhbHVl", run.Error, StringComparison.Ordinal);
        Assert.StartsWith("error: ", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fleet")]
    [InlineData("processor")]
    public async Task LiteralConnectionStringOnCommandLine_RefusedWithoutEchoingTheKey(string group)
    {
        string[] command = group == "fleet" ? ["fleet", "status"] : ["processor", "run", "--source", _directory.Combine("literal-routed"), "--lake", LakePath, "--once"];
        var literal = _emulator.Registry.ServiceConnectionString();
        var key = literal.Split(';').Single(p => p.StartsWith("SharedAccessKey=", StringComparison.Ordinal))["SharedAccessKey=".Length..];

        var run = await CliRun.RunAsync([.. command, "--iothub", literal, "--iothub-endpoint", _emulator.RestBaseAddress.ToString()]);

        Assert.Equal(CliApp.UsageError, run.ExitCode);
        Assert.DoesNotContain(key, run.Error + run.Output, StringComparison.Ordinal);
        Assert.Contains("RETAILEDGE_IOTHUB_CONNECTION_STRING", run.Error, StringComparison.Ordinal);
        Assert.Contains("file", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(LakePath) && Directory.Exists(Path.Combine(LakePath, "bronze")), "nothing ran");
    }

    [Fact]
    public async Task Status_MissingConnectionStringFile_UsageErrorWithoutEchoingTheValue()
    {
        var run = await CliRun.RunAsync("fleet", "status", "--iothub", _directory.Combine("no-such-file"));

        Assert.Equal(CliApp.UsageError, run.ExitCode);
        Assert.Contains("--iothub: cannot read the connection string file", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("no-such-file", run.Error, StringComparison.Ordinal);
    }

    private Task ReportAsync(string deviceId, JsonObject reported, string moduleId = "StoreGateway") => ReportAsync(_emulator, deviceId, reported, moduleId);

    private static async Task ReportAsync(HubEmulator.HubEmulator emulator, string deviceId, JsonObject reported, string moduleId)
    {
        await emulator.Registry.AddModuleAsync(deviceId, moduleId);
        var options = emulator.ModuleClientOptions(deviceId, moduleId) with { OperationTimeout = TimeSpan.FromSeconds(20) };
        await using var client = new IotHubModuleClient(options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.OpenAsync(timeout.Token);
        await client.UpdateReportedPropertiesAsync(reported, timeout.Token);
    }

    private static string Iso(DateTimeOffset value) => value.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string WithoutObservedAt(string jsonLines) => string.Join('\n', jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l =>
        {
            var row = JsonNode.Parse(l)!.AsObject();
            row.Remove("observedAt");
            return row.ToJsonString();
        }));
}
