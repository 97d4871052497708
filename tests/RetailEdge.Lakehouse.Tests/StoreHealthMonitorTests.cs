using RetailEdge.Delta.Storage;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using RetailEdge.Contracts.Reference;
using RetailEdge.HubEmulator;
using RetailEdge.IotHub;
using RetailEdge.IotHubService;
using RetailEdge.Lakehouse.Hosting;
using RetailEdge.Testing;

namespace RetailEdge.Lakehouse.Tests;

/// <summary>The monitor against the hub emulator over real sockets: twins reported by module clients end up in gold.store_health.</summary>
public sealed class StoreHealthMonitorTests
{
    [Fact]
    public async Task RunOnceAsync_ReportedTwinsOnEmulator_StoreHealthRowsWithStoreAndStaleFlag()
    {
        using var temp = new TempDirectory("store-health");
        await using var emulator = new HubEmulator.HubEmulator(new HubEmulatorOptions
        {
            RegistryPath = temp.Combine("registry.json"),
            HubName = "healthhub",
            RoutingTarget = temp.Combine("routing"),
        });
        await emulator.StartAsync(CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var fresh = Truncate(now.AddMinutes(-1));
        var old = Truncate(now.AddHours(-2));
        await using (var gw17 = await OpenModuleAsync(emulator, "store017-gw", "StoreGateway"))
        await using (var gw18 = await OpenModuleAsync(emulator, "store018-gw", "StoreGateway"))
        await using (var other = await OpenModuleAsync(emulator, "store017-gw", "Simulator"))
        {
            await gw17.UpdateReportedPropertiesAsync(new JsonObject
            {
                ["version"] = "1.2.0", ["status"] = "running", ["lastEventAt"] = Iso(fresh), ["lastSentAt"] = Iso(fresh),
                ["bufferedBatches"] = 3, ["oldestUnsentAgeSeconds"] = 42, ["rejected"] = 5, ["dropped"] = 0,
                ["referenceDataVersion"] = "sha-abc",
            }, CancellationToken.None);
            await gw18.UpdateReportedPropertiesAsync(new JsonObject
            {
                ["status"] = "degraded", ["lastSentAt"] = Iso(old), ["bufferedBatches"] = "many", ["configError"] = "windowSeconds must be 10–3600",
            }, CancellationToken.None);
            await other.UpdateReportedPropertiesAsync(new JsonObject { ["status"] = "running" }, CancellationToken.None);
        }
        // a module with no reported properties at all: stale, store unknown to the reference set
        await emulator.Registry.AddModuleAsync("legacy-gw", "StoreGateway");
        WriteReference(temp.Combine("reference"));
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake")), TimeProvider.System);
        await new ReferenceLoader(lake).LoadAsync(temp.Combine("reference"), CancellationToken.None);
        using var client = new IotHubServiceClient(new IotHubServiceClientOptions
        {
            ConnectionString = emulator.Registry.ServiceConnectionString(),
            Endpoint = emulator.RestBaseAddress,
            MaxRetries = 1,
        });
        var monitor = new StoreHealthMonitor(lake, client, TimeSpan.FromMinutes(15), NullLogger<StoreHealthMonitor>.Instance);

        var first = await monitor.RunOnceAsync(CancellationToken.None);
        var second = await monitor.RunOnceAsync(CancellationToken.None);

        Assert.Equal(3, first);
        Assert.Equal(3, second);
        using var connection = lake.Connect();
        Assert.True(await LakeAssertions.ViewAsync(lake, connection, LakeTables.StoreHealth, "health"));
        connection.Execute($"""
            CREATE TEMP VIEW expected AS SELECT * FROM (VALUES
              ('legacy-gw', 'StoreGateway', CAST(NULL AS INTEGER), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS TIMESTAMPTZ), CAST(NULL AS TIMESTAMPTZ),
               CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), true),
              ('store017-gw', 'StoreGateway', 17, 'running', '1.2.0', CAST('{Sql(fresh)}' AS TIMESTAMPTZ), CAST('{Sql(fresh)}' AS TIMESTAMPTZ),
               3, 42, 5, 0, 'sha-abc', NULL, NULL, false),
              ('store018-gw', 'StoreGateway', 18, 'degraded', NULL, NULL, CAST('{Sql(old)}' AS TIMESTAMPTZ),
               NULL, NULL, NULL, NULL, NULL, NULL, 'windowSeconds must be 10–3600', true))
            """);
        connection.Execute("""
            CREATE TEMP VIEW actual AS SELECT device_id, module_id, store_id, status, version, last_event_at, last_sent_at,
              buffered_batches, oldest_unsent_age_seconds, rejected, dropped, reference_data_version, reference_data_error, config_error, stale
            FROM health
            """);
        Assert.Null(LakeAssertions.Difference(connection, "actual", "expected"));
        Assert.Equal(3, LakeAssertions.Count(connection, $"SELECT * FROM health WHERE observed_at >= CAST('{Sql(Truncate(now))}' AS TIMESTAMPTZ) - INTERVAL 1 SECOND"));
    }

    [Fact]
    public async Task RunUntilIdleAsync_HubUnreachable_LakeStillProcessedAndNoHealthTable()
    {
        using var temp = new TempDirectory("store-health-down");
        Directory.CreateDirectory(temp.Combine("routed"));
        WriteReference(temp.Combine("reference"));
        using var lake = new LakeContext(new LocalLakeStoreFactory(temp.Combine("lake")), TimeProvider.System);
        await new ReferenceLoader(lake).LoadAsync(temp.Combine("reference"), CancellationToken.None);
        using var client = new IotHubServiceClient(new IotHubServiceClientOptions
        {
            ConnectionString = "HostName=down.azure-devices.net;SharedAccessKeyName=service;SharedAccessKey=" + Convert.ToBase64String(new byte[32]),
            Endpoint = new Uri($"http://127.0.0.1:{FreePort.Next()}/"),
            MaxRetries = 0,
        });
        var monitor = new StoreHealthMonitor(lake, client, TimeSpan.FromMinutes(15), NullLogger<StoreHealthMonitor>.Instance);

        var passes = await new LakehousePipeline(lake, new FolderTelemetrySource(temp.Combine("routed")), NullLoggerFactory.Instance, monitor: monitor)
            .RunUntilIdleAsync(CancellationToken.None);

        Assert.Equal(1, passes);
        Assert.Null(await lake.Table(LakeTables.StoreHealth).TryLoadAsync(CancellationToken.None));
    }

    private static async Task<IotHubModuleClient> OpenModuleAsync(HubEmulator.HubEmulator emulator, string deviceId, string moduleId)
    {
        await emulator.Registry.AddModuleAsync(deviceId, moduleId);
        var options = emulator.ModuleClientOptions(deviceId, moduleId) with { OperationTimeout = TimeSpan.FromSeconds(10) };
        var client = new IotHubModuleClient(options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await client.OpenAsync(timeout.Token);
        return client;
    }

    private static DateTimeOffset Truncate(DateTimeOffset value) => new(value.Ticks - value.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static string Iso(DateTimeOffset value) => value.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Sql(DateTimeOffset value) => value.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "+00";

    private static void WriteReference(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, ReferenceCsv.StoreFile), ReferenceCsv.FormatStores(
            [new StoreReference(17, "Seventeen", "north", "Europe/Berlin", "store017-gw"), new StoreReference(18, "Eighteen", "south", "Europe/Berlin", "store018-gw")]));
        File.WriteAllText(Path.Combine(folder, ReferenceCsv.ItemFile), ReferenceCsv.FormatItems([new ItemReference(1001, "Apples", "produce", 1, 5, "kg", 1.99m, 1.20m)]));
        File.WriteAllText(Path.Combine(folder, ReferenceCsv.ChangeTypeFile), ReferenceCsv.FormatChangeTypes([new ChangeTypeReference(1, "sale")]));
    }
}
