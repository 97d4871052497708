using System.Diagnostics;
using System.Text.Json.Nodes;
using RetailEdge.Contracts.Reference;
using RetailEdge.HubEmulator;
using RetailEdge.IotHubService;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;
using RetailEdge.ReferencePublishing;
using RetailEdge.Testing;

namespace RetailEdge.Cli.Lake.Tests;

/// <summary>
/// A fleet for the reference publishing tests: the hub emulator on loopback, a folder lake with
/// reference tables, and StoreGateway modules in this process (the real host, as the demo runs them)
/// connected to the emulator over real MQTT, each allowed to read file urls under the lake's published folder.
/// </summary>
internal sealed class ReferenceFleet : IAsyncDisposable
{
    private const string ModuleId = "StoreGateway";
    private readonly Dictionary<int, DemoGateway> _gateways = [];
    private readonly Dictionary<int, string> _devices = [];

    private ReferenceFleet(TempDirectory directory, HubEmulator.HubEmulator emulator, IotHubServiceClient service)
    {
        Directory = directory;
        Emulator = emulator;
        Service = service;
    }

    public TempDirectory Directory { get; }

    public HubEmulator.HubEmulator Emulator { get; }

    public IotHubServiceClient Service { get; }

    public string LakePath => Directory.Combine("lake");

    public IReadOnlyDictionary<int, DemoGateway> Gateways => _gateways;

    public static async Task<ReferenceFleet> StartAsync(string name)
    {
        var directory = new TempDirectory(name);
        var emulator = new HubEmulator.HubEmulator(new HubEmulatorOptions
        {
            RegistryPath = directory.Combine("registry.json"),
            HubName = "refhub",
            RoutingTarget = directory.Combine("routing"),
        });
        await emulator.StartAsync(CancellationToken.None);
        var service = new IotHubServiceClient(new IotHubServiceClientOptions { ConnectionString = emulator.Registry.ServiceConnectionString(), Endpoint = emulator.RestBaseAddress });
        return new ReferenceFleet(directory, emulator, service);
    }

    /// <summary>Writes the tables as CSV and loads them into the lake's reference tables (replacing what was there).</summary>
    public async Task LoadReferenceAsync(ReferenceTables tables)
    {
        var folder = Directory.Combine("reference-csv");
        System.IO.Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, ReferenceCsv.StoreFile), ReferenceCsv.FormatStores(tables.Stores));
        await File.WriteAllTextAsync(Path.Combine(folder, ReferenceCsv.ItemFile), ReferenceCsv.FormatItems(tables.Items));
        await File.WriteAllTextAsync(Path.Combine(folder, ReferenceCsv.ChangeTypeFile), ReferenceCsv.FormatChangeTypes(tables.ChangeTypes));
        await File.WriteAllTextAsync(Path.Combine(folder, ReferenceCsv.AssortmentFile), ReferenceCsv.FormatAssortment(tables.Assortment ?? []));
        using var lake = new LakeContext(new LocalLakeStoreFactory(LakePath), TimeProvider.System);
        await new ReferenceLoader(lake).LoadAsync(folder, CancellationToken.None);
    }

    /// <summary>Each store's expected version, as the publisher computes it from the same tables.</summary>
    public static IReadOnlyDictionary<int, string> VersionsOf(ReferenceTables tables) =>
        ReferenceSetPlanner.Plan(tables).Sets.ToDictionary(s => s.StoreId, s => s.Version);

    public async Task RegisterAsync(StoreReference store)
    {
        _devices[store.StoreId] = store.DeviceId;
        await Emulator.Registry.AddModuleAsync(store.DeviceId, ModuleId, CancellationToken.None);
    }

    public async Task StartGatewayAsync(int storeId)
    {
        var deviceId = _devices[storeId];
        _gateways[storeId] = await DemoGateway.StartAsync(storeId, deviceId,
            Emulator.Registry.ModuleConnectionString(deviceId, ModuleId) + ";GatewayHostName=127.0.0.1",
            Emulator.MqttEndPoint.Port,
            Directory.Combine("gateways", deviceId),
            Path.Combine(LakePath, FolderReferenceSetStore.RelativeFolder),
            CancellationToken.None);
    }

    public async Task StopGatewayAsync(int storeId)
    {
        await _gateways[storeId].DisposeAsync();
        _gateways.Remove(storeId);
    }

    /// <summary>The `--iothub` arguments: the service connection string in a file only the owner reads, and the emulator's endpoint.</summary>
    public string[] HubArguments()
    {
        var path = Directory.Combine("hub.connection");
        File.WriteAllText(path, Emulator.Registry.ServiceConnectionString() + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return ["--iothub", path, "--iothub-endpoint", Emulator.RestBaseAddress.ToString()];
    }

    /// <summary>Posts events to a store's gateway and flushes it, so its twin reports a recent send (a store that never sent is stale).</summary>
    public async Task SendAndFlushAsync(int storeId, IEnumerable<byte[]> events)
    {
        var gateway = _gateways[storeId];
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.BaseAddress, "events"))
        {
            Content = new ByteArrayContent([.. events.SelectMany(e => e.Append((byte)'\n'))]),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-ndjson");
        gateway.Authorize(request);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var flush = await Service.InvokeModuleMethodAsync(_devices[storeId], ModuleId, new MethodInvocation("flush") { ResponseTimeout = TimeSpan.FromSeconds(30) });
        Assert.Equal(200, flush.Status);
        await WaitReportedAsync([storeId], (_, r) => r["lastSentAt"] is JsonValue, TimeSpan.FromSeconds(30));
    }

    public async Task<JsonObject> ReportedAsync(int storeId) => (await Service.GetModuleTwinAsync(_devices[storeId], ModuleId)).Reported;

    /// <summary>Waits (polling the twins, at most <paramref name="timeout"/>) until every listed store reports what <paramref name="done"/> expects; returns how long it took.</summary>
    public async Task<TimeSpan> WaitReportedAsync(IEnumerable<int> stores, Func<int, JsonObject, bool> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var pending = stores.ToHashSet();
        while (pending.Count > 0)
        {
            foreach (var store in pending.ToList())
            {
                if (done(store, await ReportedAsync(store)))
                {
                    pending.Remove(store);
                }
            }
            if (pending.Count == 0)
            {
                break;
            }
            Assert.True(clock.Elapsed < timeout, $"stores {string.Join(", ", pending.Order())} did not report in time: "
                + string.Join("; ", (await Task.WhenAll(pending.Order().Take(3).Select(async s => $"{s}: {(await ReportedAsync(s)).ToJsonString()}")))));
            await Task.Delay(250);
        }
        return clock.Elapsed;
    }

    public static string? Text(JsonObject reported, string name) => reported[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in _gateways.Values)
        {
            await gateway.DisposeAsync();
        }
        Service.Dispose();
        await Emulator.DisposeAsync();
        Directory.Dispose();
    }
}
