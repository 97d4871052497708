using System.Diagnostics;
using System.Text;
using System.Text.Json;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Reference;
using RetailEdge.Contracts.Validation;
using RetailEdge.Simulator;
using RetailEdge.Testing;

namespace RetailEdge.Cli.Tests;

/// <summary>Runs the built `retailedge` CLI as a process, as a user would.</summary>
public sealed class SimulateCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("simulate-cli");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Simulate_ReferenceTwoStoresSameSeedTwice_IdenticalFilesEveryLineValidatesFiguresWithin15Percent()
    {
        string[] common = ["simulate", "--profile", "reference", "--stores", "2", "--duration", "1d", "--seed", "42"];
        var a = _temp.Combine("a.jsonl");
        var b = _temp.Combine("b.jsonl");
        var reference = _temp.Combine("reference");
        var runA = await RunAsync([.. common, "--out", a, "--reference-out", reference]);
        var runB = await RunAsync([.. common, "--out", b]);
        Assert.True(runA.ExitCode == 0, runA.Stderr);
        Assert.True(runB.ExitCode == 0, runB.Stderr);
        Assert.Contains("basket", runA.Stdout, StringComparison.Ordinal);
        var bytesA = await File.ReadAllBytesAsync(a);
        Assert.True(bytesA.Length > 1_000_000);
        Assert.Equal(bytesA, await File.ReadAllBytesAsync(b));

        // every line is a valid event for its store, against the store's own assortment
        var assortment = ReferenceCsv.ParseAssortment(await File.ReadAllTextAsync(Path.Combine(reference, ReferenceCsv.AssortmentFile)));
        var validators = assortment.GroupBy(e => e.StoreId).ToDictionary(g => g.Key, g => new EventValidator(new EventValidationOptions
        {
            ExpectedStoreId = g.Key,
            KnownItems = g.Select(e => e.ItemId).ToHashSet(),
        }));
        Assert.Equal(2, validators.Count);
        var profile = SimulationProfile.Reference;
        var stats = new Dictionary<int, StoreDayStats> { [1] = new(), [2] = new() };
        var clock = DateTimeOffset.MinValue;
        foreach (var line in File.ReadLines(a))
        {
            var bytes = Encoding.UTF8.GetBytes(line);
            using (var document = JsonDocument.Parse(bytes))
            {
                // a running receive clock: arrival order is event-time order without faults
                var ts = DateTimeOffset.Parse(document.RootElement.GetProperty("ts").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(ts >= clock, "lines are in arrival order");
                clock = ts;
            }
            var storeId = JsonDocument.Parse(bytes).RootElement.GetProperty("storeId").GetInt32();
            var result = validators[storeId].Validate(bytes, clock);
            Assert.True(result.IsValid, $"{result.Reason} {result.Detail}: {line[..Math.Min(200, line.Length)]}");
            stats[storeId].Add(result.Event!);
        }
        foreach (var (storeId, s) in stats)
        {
            AssertWithin15Percent(profile.EventsPerDay, s.Events, $"store {storeId} events (lines)");
            AssertWithin15Percent(profile.BasketsPerDay, s.Baskets, $"store {storeId} baskets");
            AssertWithin15Percent(profile.BasketLinesPerDay, s.BasketLines, $"store {storeId} basket lines");
            AssertWithin15Percent(profile.WeighingsPerDay, s.Weighings, $"store {storeId} weighings");
            AssertWithin15Percent(profile.RestockLinesPerDay, s.RestockLines, $"store {storeId} restock lines");
            AssertWithin15Percent(profile.ShrinkLinesPerDay, s.ShrinkLines, $"store {storeId} shrink lines");
            Assert.Equal(profile.Lanes, s.Lanes.Count);
            Assert.Equal(profile.Scales, s.Scales.Count);
            Assert.True(s.Snapshots > 0 && s.Changes > 0 && s.Weighings > 0 && s.Baskets > 0, "all four event types");
            Assert.Equal(profile.AssortmentSize, s.CountedItems.Count);
        }
    }

    [Fact]
    public async Task Simulate_OutDash_JsonLinesOnStdoutSummaryOnStderr()
    {
        string[] common = ["simulate", "--profile", "small", "--duration", "6h", "--start", "2026-11-02T08:00:00", "--seed", "3"];
        var file = _temp.Combine("small.jsonl");
        var toFile = await RunAsync([.. common, "--out", file]);
        var toStdout = await RunAsync([.. common, "--out", "-"]);
        Assert.True(toStdout.ExitCode == 0, toStdout.Stderr);
        Assert.Equal(await File.ReadAllBytesAsync(file), toStdout.StdoutBytes);
        Assert.Contains("weighing", toStdout.Stderr, StringComparison.Ordinal);
        Assert.Contains("messages", toStdout.Stderr, StringComparison.Ordinal);
        Assert.Contains("weighing", toFile.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_HeavyFaults_SummaryCountsEveryKindAndAddsMessages()
    {
        var clean = _temp.Combine("clean.jsonl");
        var faulty = _temp.Combine("faulty.jsonl");
        string[] common = ["simulate", "--profile", "small", "--stores", "3", "--seed", "5"];
        Assert.Equal(0, (await RunAsync([.. common, "--out", clean])).ExitCode);
        var run = await RunAsync([.. common, "--out", faulty, "--faults", "heavy"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        foreach (var kind in FaultKinds.All)
        {
            Assert.Contains(kind, run.Stdout, StringComparison.Ordinal);
        }
        Assert.True(File.ReadLines(faulty).Count() > File.ReadLines(clean).Count());
    }

    [Fact]
    public async Task Simulate_ReferenceOut_WritesFourCsvFilesThatParse()
    {
        var folder = _temp.Combine("ref");
        var run = await RunAsync(["simulate", "--profile", "small", "--stores", "3", "--duration", "1h", "--out", _temp.Combine("x.jsonl"), "--reference-out", folder]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var stores = ReferenceCsv.ParseStores(await File.ReadAllTextAsync(Path.Combine(folder, ReferenceCsv.StoreFile)));
        var items = ReferenceCsv.ParseItems(await File.ReadAllTextAsync(Path.Combine(folder, ReferenceCsv.ItemFile)));
        var types = ReferenceCsv.ParseChangeTypes(await File.ReadAllTextAsync(Path.Combine(folder, ReferenceCsv.ChangeTypeFile)));
        var assortment = ReferenceCsv.ParseAssortment(await File.ReadAllTextAsync(Path.Combine(folder, ReferenceCsv.AssortmentFile)));
        Assert.Equal(["store001-gw", "store002-gw", "store003-gw"], stores.Select(s => s.DeviceId));
        Assert.Equal(SimulationProfile.Small.CatalogueSize, items.Count);
        Assert.All(items, i => Assert.True(i.UnitCost < i.UnitPrice && i.UnitCost > 0, $"margin of {i.ItemId}"));
        Assert.Equal(ChangeTypes.All, types.OrderBy(t => t.ChangeTypeId).Select(t => t.ChangeType));
        Assert.Equal(3 * SimulationProfile.Small.AssortmentSize, assortment.Count);
        Assert.True(items.Select(i => i.Department).Distinct().Count() >= 8);
    }

    [Theory]
    [InlineData("--profile", "huge")]
    [InlineData("--duration", "-1h")]
    [InlineData("--duration", "0s")]
    [InlineData("--duration", "soon")]
    [InlineData("--stores", "0")]
    [InlineData("--faults", "lots")]
    [InlineData("--start", "yesterday")]
    [InlineData("--out", "{blocker}/out.jsonl")]
    [InlineData("--reference-out", "{blocker}/ref")]
    public async Task Simulate_BadInput_OneLineErrorNamingTheOptionExitCode2(string option, string value)
    {
        var blocker = _temp.Combine("blocker");
        await File.WriteAllTextAsync(blocker, "a file where a folder is expected");
        value = value.Replace("{blocker}", blocker, StringComparison.Ordinal);
        List<string> args = ["simulate", "--duration", "1h", option, value];
        if (option != "--out")
        {
            args.AddRange(["--out", _temp.Combine("ok.jsonl")]);
        }
        var run = await RunAsync([.. args]);
        Assert.Equal(2, run.ExitCode);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "one line: " + run.Stderr);
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(option, lines[0], StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task Simulate_MissingOut_OneLineErrorExitCode2()
    {
        var run = await RunAsync(["simulate", "--profile", "small"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--out", run.Stderr, StringComparison.Ordinal);
    }

    private static void AssertWithin15Percent(double expected, double actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 0.15 * expected, $"{what}: {actual} not within ±15 % of {expected}");

    private static async Task<CliRun> RunAsync(string[] args)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "retailedge"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        await copy;
        var bytes = stdout.ToArray();
        return new CliRun(process.ExitCode, bytes, Encoding.UTF8.GetString(bytes), await stderr);
    }

    private sealed record CliRun(int ExitCode, byte[] StdoutBytes, string Stdout, string Stderr);

    private sealed class StoreDayStats
    {
        public int Events { get; private set; }
        public int Baskets { get; private set; }
        public int BasketLines { get; private set; }
        public int Weighings { get; private set; }
        public int Changes { get; private set; }
        public int RestockLines { get; private set; }
        public int ShrinkLines { get; private set; }
        public int Snapshots { get; private set; }
        public HashSet<string> Lanes { get; } = [];
        public HashSet<string> Scales { get; } = [];
        public HashSet<long> CountedItems { get; } = [];

        public void Add(StoreEvent storeEvent)
        {
            Events++;
            switch (storeEvent)
            {
                case BasketEvent basket:
                    Baskets++;
                    BasketLines += basket.Lines.Count;
                    if (basket.Channel == Channels.Store)
                    {
                        Lanes.Add(basket.LaneId);
                    }
                    break;
                case WeighingEvent weighing:
                    Weighings++;
                    Scales.Add(weighing.ScaleId);
                    break;
                case InventoryChangeEvent change:
                    Changes++;
                    RestockLines += change.ChangeType == ChangeTypes.Restock ? change.Lines.Count : 0;
                    ShrinkLines += change.ChangeType == ChangeTypes.Shrink ? change.Lines.Count : 0;
                    break;
                case InventorySnapshotEvent snapshot:
                    Snapshots++;
                    CountedItems.UnionWith(snapshot.Counts.Select(c => c.ItemId));
                    break;
            }
        }
    }
}
