using System.Globalization;

namespace RetailEdge.Cli.Tests;

public sealed class DemoLiveViewTests
{
    [Fact]
    public async Task NotATerminal_OnePlainLinePerStep_NoEscapeCodes()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var progress = new DemoProgress();
        await using (DemoLiveView.Start(progress, output, live: false))
        {
            progress.Posted("store 1", 200);
            progress.Step("posted 200 events");
            progress.Step("processor: 1 cycle(s)");
        }

        Assert.Equal(["• posted 200 events", "• processor: 1 cycle(s)"], output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));
        Assert.DoesNotContain('\u001b', output.ToString());
    }

    [Fact]
    public async Task Terminal_LiveTableShowsStagesStoresAndWatchedCounters()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var progress = new DemoProgress();
        long hubBatches = 0;
        await using (DemoLiveView.Start(progress, output, live: true))
        {
            progress.Set(DemoStage.Simulated, 1_234);
            progress.Watch(DemoStage.SentToHub, () => Interlocked.Read(ref hubBatches));
            progress.Posted("store 7", 1_000);
            progress.GatewayHealth("store 7", bufferedBatches: 5, rejected: 3);
            Interlocked.Exchange(ref hubBatches, 42);
            progress.Step("started 1 StoreGateway module(s)");
        }

        var text = output.ToString();
        Assert.Contains("simulated events", text, StringComparison.Ordinal);
        Assert.Contains("1,234", text, StringComparison.Ordinal);
        Assert.Contains("42", text, StringComparison.Ordinal);
        Assert.Contains("store 7", text, StringComparison.Ordinal);
        Assert.Contains("started 1 StoreGateway module(s)", text, StringComparison.Ordinal);
        Assert.Contains('\u001b', text);
    }
}
