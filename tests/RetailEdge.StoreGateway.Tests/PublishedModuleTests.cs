using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Testing;

namespace RetailEdge.StoreGateway.Tests;

/// <summary>
/// The module as its Dockerfile publishes it (ReadyToRun, the runtime settings of BENCHMARKS.md #13), run as a
/// process with the deployment manifest's runtime environment against the hub emulator: it must still start,
/// take events and send their telemetry.
/// </summary>
public class PublishedModuleTests
{
    [Fact]
    public async Task DockerfilePublish_ReadyToRunWithShippedSettings_SendsTelemetryToHubEmulator()
    {
        using var directory = new TempDirectory("gateway-published");
        var published = directory.Combine("publish");
        await ModulePublish.PublishAsync(Path.Combine("edge", "modules", "StoreGateway", "StoreGateway.csproj"), published);

        // Precompiled code in the module's and the engine's assemblies and in its packages'.
        foreach (var assembly in new[] { "StoreGateway.dll", "RetailEdge.StoreGateway.Core.dll", "RetailEdge.Aggregation.dll", "RetailEdge.Contracts.dll", "Microsoft.Data.Sqlite.dll", "MQTTnet.dll" })
        {
            Assert.True(IsReadyToRun(Path.Combine(published, assembly)), assembly + " is not ReadyToRun");
        }
        using (var runtimeConfig = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(published, "StoreGateway.runtimeconfig.json"))))
        {
            var properties = runtimeConfig.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
            Assert.False(properties.GetProperty("System.Runtime.TieredCompilation").GetBoolean());
            Assert.Equal(2 * 1024 * 1024, properties.GetProperty("System.GC.Gen0MaxBudget").GetInt64());
        }

        await using var emulator = await GatewayHubEmulator.StartAsync(directory, "store017-gw");
        var port = FreePort.Next();
        var environment = new Dictionary<string, string>(ModulePublish.DeploymentRuntimeEnvironment());
        foreach (var (name, value) in GatewayHubEmulator.TransportSettings(emulator, "store017-gw", "__"))
        {
            environment[name] = value;
        }
        // The shipped defaults (60 s windows sealed 5 s after their end, sent on seal).
        environment["StoreGateway__InitialSettings"] = "";
        Assert.Equal("2", environment["MALLOC_ARENA_MAX"]);
        await using var process = GatewayProcess.Start(directory.Combine("data"), port, environment, Path.Combine(published, "StoreGateway.dll"));
        using var http = GatewayProcess.CreateClient(port);
        await GatewayProcess.WaitHealthyAsync(http, process);

        var now = DateTimeOffset.UtcNow;
        var body = new StringBuilder();
        for (var i = 0; i < 3; i++)
        {
            body.Append(Encoding.UTF8.GetString(StoreEventJson.Serialize(new BasketEvent
            {
                Id = "published-" + i, StoreId = 17, Ts = now.AddSeconds(-90 + i), LaneId = "L1", Channel = Channels.Store, Lines = [new BasketLine(7, 2m, 1.5m)],
            }))).Append('\n');
        }
        using (var posted = await http.PostAsync("events", new StringContent(body.ToString(), Encoding.UTF8, "application/x-ndjson")))
        {
            posted.EnsureSuccessStatusCode();
        }

        // The window of 90 s ago is sealed and sent on seal; the hub routes its batch with the three baskets.
        var batches = new List<TelemetryBatch>();
        await GatewayModuleTestsSupport.WaitUntilAsync(() =>
        {
            emulator.Routing.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
            batches = [.. RoutedBatches(directory.Combine("routing"))];
            return batches.Sum(b => b.Baskets.Count) >= 3 || process.HasExited;
        }, 120_000);
        Assert.False(process.HasExited, "the published module exited: " + process.Output);
        Assert.Equal(3, batches.Sum(b => b.Baskets.Count));
        Assert.Equal(6m, batches.SelectMany(b => b.Items).Sum(i => i.Qty));
    }

    private static IEnumerable<TelemetryBatch> RoutedBatches(string folder)
    {
        if (!Directory.Exists(folder))
        {
            yield break;
        }
        foreach (var line in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).SelectMany(File.ReadAllLines).Where(l => l.Length > 0))
        {
            var record = JsonNode.Parse(line)!.AsObject();
            var decoded = TelemetryBatchCodec.Decode(Convert.FromBase64String(record["Body"]!.GetValue<string>()), record["SystemProperties"]!["contentEncoding"]!.GetValue<string>());
            Assert.True(decoded.IsValid, decoded.Detail);
            yield return decoded.Batch!;
        }
    }

    [Fact]
    public async Task Arm64DockerfilePublish_ReadyToRunForArm64WithoutAppHost()
    {
        using var directory = new TempDirectory("gateway-published-arm64");
        var published = directory.Combine("publish");
        await ModulePublish.PublishAsync(Path.Combine("edge", "modules", "StoreGateway", "StoreGateway.csproj"), published, "Dockerfile.arm64v8");

        foreach (var assembly in new[] { "StoreGateway.dll", "RetailEdge.StoreGateway.Core.dll", "Microsoft.Data.Sqlite.dll" })
        {
            var path = Path.Combine(published, assembly);
            Assert.True(IsReadyToRun(path), assembly + " is not ReadyToRun");
            using var reader = new PEReader(File.OpenRead(path));
            // A ReadyToRun image for Linux carries its target machine XOR the Linux marker 0x7B79.
            Assert.Equal(Machine.Arm64, (Machine)((ushort)reader.PEHeaders.CoffHeader.Machine ^ 0x7B79));
        }
        Assert.False(File.Exists(Path.Combine(published, "StoreGateway")), "an apphost was published for arm64");
        Assert.True(File.Exists(Path.Combine(published, "libe_sqlite3.so")));
    }

    // An assembly compiled ahead of time carries a ReadyToRun header beside its IL.
    private static bool IsReadyToRun(string path)
    {
        using var reader = new PEReader(File.OpenRead(path));
        return reader.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    }
}
