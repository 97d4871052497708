using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using RetailEdge.Contracts;
using RetailEdge.Contracts.Reference;
using RetailEdge.HubEmulator;
using RetailEdge.Simulator;
using RetailEdge.Testing;

namespace RetailEdge.Cli.Lake.Tests;

/// <summary>
/// `retailedge fleet flush|replay|status|set-log-level &lt;device&gt;` against a real StoreGateway module
/// (the container's host wiring, in this process) connected to the hub emulator over MQTT on loopback,
/// with the CLI going through the emulator's service REST API; the processor turns what the hub routed
/// into gold before and after a replay.
/// </summary>
[Collection(LakeCollection.Name)]
public sealed class FleetMethodCommandTests : IAsyncLifetime
{
    private const string Device = "store001-gw";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly TempDirectory _directory = new("fleet-methods");
    private HubEmulator.HubEmulator _emulator = null!;
    private DemoGateway _gateway = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(2) };

    private string Routing => _directory.Combine("routing");

    private string Lake => _directory.Combine("lake");

    public async Task InitializeAsync()
    {
        _emulator = new HubEmulator.HubEmulator(new HubEmulatorOptions
        {
            RegistryPath = _directory.Combine("registry.json"),
            HubName = "methodhub",
            RoutingTarget = Routing,
            BatchInterval = TimeSpan.FromSeconds(1),
        });
        await _emulator.StartAsync(CancellationToken.None);
        await _emulator.Registry.AddModuleAsync(Device, "StoreGateway");
        _gateway = await DemoGateway.StartAsync(1, Device,
            _emulator.Registry.ModuleConnectionString(Device, "StoreGateway") + ";GatewayHostName=127.0.0.1",
            _emulator.MqttEndPoint.Port, _directory.Combine("gateway"), _directory.Combine("reference-files"), CancellationToken.None);
        await WaitUntilAsync(() => Task.FromResult(_emulator.Connections.Count == 1), "the gateway connects to the hub");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _emulator.DisposeAsync();
        _http.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task Replay_ResendsTheRangeWithOriginalSeqNumbers_GoldDoesNotChange()
    {
        var simulator = new StoreSimulator(new SimulationOptions { Profile = "small", Stores = 1, Duration = TimeSpan.FromHours(6), Seed = 5 });
        WriteReference(simulator.Catalog);
        Assert.Equal(0, (await CliRun.RunAsync("reference", "load", "--from", _directory.Combine("reference"), "--lake", Lake)).ExitCode);
        await PostAsync(simulator.Generate().Select(e => e.Json));

        var flush = await CliRun.RunAsync(["fleet", "flush", Device, .. Hub()]);

        Assert.True(flush.ExitCode == 0, $"exit {flush.ExitCode}: {flush.Error}");
        Assert.StartsWith($"{Device}/StoreGateway flush: status 200", flush.Output, StringComparison.Ordinal);
        Assert.True(JsonNode.Parse(Answer(flush))!["sealed"]!.GetValue<long>() > 0, flush.Output);
        var sent = await WaitDrainedAsync();
        Assert.True(sent >= 2, $"{sent} batches sent: a range to replay needs a few");
        // The hub acknowledges a message before its routing endpoint writes it out: the processor reads files.
        await WaitUntilAsync(async () =>
        {
            await _emulator.Routing.FlushAsync(CancellationToken.None);
            return _emulator.Routing.RecordsWritten >= sent;
        }, "the hub routes the batches");
        var routedBefore = _emulator.Routing.RecordsWritten;
        var before = await RunProcessorAndReadGoldAsync();
        var salesByDay = before[before.IndexOf("== gold/sales_by_day", StringComparison.Ordinal)..].Split('\n');
        Assert.True(salesByDay.Length > 3, "gold.sales_by_day has rows before the replay:\n" + before);

        var replay = await CliRun.RunAsync(["fleet", "replay", Device, "--from", "1", "--to", sent.ToString(System.Globalization.CultureInfo.InvariantCulture), .. Hub()]);

        Assert.True(replay.ExitCode == 0, $"exit {replay.ExitCode}: {replay.Error}");
        Assert.Equal(sent, JsonNode.Parse(Answer(replay))!["replayed"]!.GetValue<long>());
        await WaitDrainedAsync();
        await WaitUntilAsync(async () =>
        {
            await _emulator.Routing.FlushAsync(CancellationToken.None);
            return _emulator.Routing.RecordsWritten >= routedBefore + sent;
        }, "the hub routes the replayed batches");
        // every routed message is a batch the processor already has, under the same (journal, seq)
        var resent = RoutedSeqs();
        Assert.Equal(2 * sent, resent.Count);
        Assert.Equal(Enumerable.Range(1, (int)sent).Select(i => (long)i), resent.Distinct().Order());
        var after = await RunProcessorAndReadGoldAsync();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task StatusSetLogLevelAndErrors_PrintTheModulesAnswers()
    {
        var status = await CliRun.RunAsync(["fleet", "status", Device, .. Hub()]);
        var level = await CliRun.RunAsync(["fleet", "set-log-level", Device, "Debug", .. Hub()]);
        var badLevel = await CliRun.RunAsync(["fleet", "set-log-level", Device, "Loud", .. Hub()]);
        var badRange = await CliRun.RunAsync(["fleet", "replay", Device, "--from", "9", "--to", "3", .. Hub()]);
        var unknownDevice = await CliRun.RunAsync(["fleet", "flush", "store404-gw", "--timeout", "5", .. Hub()]);

        Assert.True(status.ExitCode == 0, $"exit {status.ExitCode}: {status.Error}");
        Assert.StartsWith($"{Device}/StoreGateway status: status 200", status.Output, StringComparison.Ordinal);
        // the answer is the module's reported-properties contract
        var reported = TolerantJson.Deserialize(JsonNode.Parse(Answer(status))!.AsObject(), ContractsJsonContext.Default.GatewayReportedProperties, out var invalid);
        Assert.Empty(invalid);
        Assert.Equal("running", reported.Status);
        Assert.NotNull(reported.Version);
        Assert.NotNull(reported.BufferedBatches);
        Assert.True(level.ExitCode == 0, $"exit {level.ExitCode}: {level.Error}");
        Assert.Equal("Debug", (string)JsonNode.Parse(Answer(level))!["level"]!);
        Assert.Equal(CliApp.UsageError, badLevel.ExitCode);
        Assert.Equal(CliApp.UsageError, badRange.ExitCode);
        Assert.Contains("1 ≤ from ≤ to", badRange.Error, StringComparison.Ordinal);
        Assert.Equal(DeployCommand.HubFailedExitCode, unknownDevice.ExitCode);
        Assert.Contains("store404-gw/StoreGateway flush", unknownDevice.Error, StringComparison.Ordinal);
    }

    private static string Answer(CliRun run) => run.Output[(run.Output.IndexOf('\n', StringComparison.Ordinal) + 1)..];

    private string[] Hub() => EmulatorHubArguments.For(_emulator, _directory.Combine("hub.connection"));

    private void WriteReference(SimulationCatalog catalog)
    {
        var directory = _directory.Combine("reference");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, ReferenceCsv.StoreFile), ReferenceCsv.FormatStores(catalog.Stores));
        File.WriteAllText(Path.Combine(directory, ReferenceCsv.ItemFile), ReferenceCsv.FormatItems(catalog.Items));
        File.WriteAllText(Path.Combine(directory, ReferenceCsv.ChangeTypeFile), ReferenceCsv.FormatChangeTypes(catalog.ChangeTypes));
        File.WriteAllText(Path.Combine(directory, ReferenceCsv.AssortmentFile), ReferenceCsv.FormatAssortment(catalog.Assortment));
    }

    private async Task PostAsync(IEnumerable<byte[]> events)
    {
        foreach (var chunk in events.Chunk(500))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_gateway.BaseAddress, "events"))
            {
                Content = new ByteArrayContent([.. chunk.SelectMany(e => e.Append((byte)'\n'))]),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            _gateway.Authorize(request);
            using var response = await _http.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>Waits until the outbox is empty; returns the highest seq the gateway has used.</summary>
    private async Task<long> WaitDrainedAsync()
    {
        JsonObject? health = null;
        await WaitUntilAsync(async () =>
        {
            health = JsonNode.Parse(await _http.GetStringAsync(new Uri(_gateway.BaseAddress, "health")))!.AsObject();
            // /health is the reported-properties contract plus the gateway's local counters
            var reported = TolerantJson.Deserialize(health, ContractsJsonContext.Default.GatewayReportedProperties, out _);
            return reported is { BufferedBatches: 0, LastSentAt: not null };
        }, "the gateway's outbox drains");
        return health!["nextSeq"]!.GetValue<long>() - 1;
    }

    /// <summary>The seq of every batch the hub routed (the routing record's body is the gzip batch; its properties carry seq).</summary>
    private List<long> RoutedSeqs() =>
        [.. Directory.EnumerateFiles(Routing, "*", SearchOption.AllDirectories)
            .SelectMany(File.ReadLines)
            .Where(l => l.Length > 0)
            .Select(l => JsonNode.Parse(l)!["Properties"]!["seq"]!.GetValue<string>())
            .Select(s => long.Parse(s, System.Globalization.CultureInfo.InvariantCulture))];

    private async Task<string> RunProcessorAndReadGoldAsync()
    {
        var processor = await CliRun.RunAsync("processor", "run", "--source", Routing, "--lake", Lake, "--once");
        Assert.True(processor.ExitCode == 0, $"exit {processor.ExitCode}: {processor.Error}");
        var gold = new System.Text.StringBuilder();
        foreach (var table in RetailEdge.Lakehouse.LakeTables.GoldTables)
        {
            var path = Path.Combine(Lake, table.RelativePath);
            if (!Directory.Exists(path))
            {
                continue;
            }
            var show = await CliRun.RunAsync("lake", "show", path, "--format", "csv");
            Assert.True(show.ExitCode == 0, $"exit {show.ExitCode}: {show.Error}");
            gold.Append("== ").AppendLine(table.RelativePath).Append(show.Output);
        }
        return gold.ToString();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(100);
        }
    }
}
