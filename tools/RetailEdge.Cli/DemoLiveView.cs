using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace RetailEdge.Cli;

/// <summary>
/// Shows a <see cref="DemoProgress"/>: on a terminal a live Spectre.Console view (finished steps, a table of
/// stages with counts and events/s, one line per store's gateway) redrawn a few times a second; anywhere else
/// (CI logs, pipes) one plain line per finished step, so logs stay readable.
/// </summary>
public sealed class DemoLiveView : IAsyncDisposable
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(250);
    private readonly DemoProgress _progress;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private int _disposed;

    private DemoLiveView(DemoProgress progress, TextWriter output, bool live)
    {
        _progress = progress;
        if (live)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.Yes, Interactive = InteractionSupport.Yes });
            _running = console.Live(Render(progress.Snapshot())).AutoClear(false).StartAsync(async context =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    context.UpdateTarget(Render(progress.Snapshot()));
                    try
                    {
                        await Task.Delay(Refresh, _stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
                context.UpdateTarget(Render(progress.Snapshot()));
            });
        }
        else
        {
            progress.StepAdded += text => output.WriteLine("• " + text);
            _running = Task.CompletedTask;
        }
    }

    /// <summary>
    /// A live view when <paramref name="live"/> (the caller knows whether its output is a terminal), else plain lines.
    /// </summary>
    public static DemoLiveView Start(DemoProgress progress, TextWriter output, bool live) => new(progress, output, live);

    /// <summary>Stops the view after its last redraw; safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        _stop.Dispose();
    }

    private static IRenderable Render(DemoProgressSnapshot snapshot)
    {
        var rows = new List<IRenderable>();
        foreach (var step in snapshot.Steps)
        {
            rows.Add(new Markup("[green]•[/] " + Markup.Escape(step)));
        }
        var stages = new Table().Border(TableBorder.Rounded).Title($"RetailEdge demo · {snapshot.Elapsed.TotalSeconds:F1} s")
            .AddColumn("stage").AddColumn(new TableColumn("count").RightAligned());
        foreach (var (_, label, count) in snapshot.Stages)
        {
            stages.AddRow(Markup.Escape(label), count == 0 ? "[grey]–[/]" : count.ToString("N0", CultureInfo.InvariantCulture));
        }
        stages.AddRow("events/s into the gateways", snapshot.PostedPerSecond == 0 ? "[grey]–[/]" : snapshot.PostedPerSecond.ToString("N0", CultureInfo.InvariantCulture));
        rows.Add(stages);
        if (snapshot.Stores.Count > 0)
        {
            var stores = new Table().Border(TableBorder.Rounded).Title("store gateways")
                .AddColumn("store").AddColumn(new TableColumn("posted").RightAligned())
                .AddColumn(new TableColumn("backlog (batches)").RightAligned()).AddColumn(new TableColumn("rejected").RightAligned());
            foreach (var store in snapshot.Stores)
            {
                stores.AddRow(Markup.Escape(store.Store), store.Posted.ToString("N0", CultureInfo.InvariantCulture),
                    store.BufferedBatches.ToString("N0", CultureInfo.InvariantCulture), store.Rejected.ToString("N0", CultureInfo.InvariantCulture));
            }
            rows.Add(stores);
        }
        return new Rows(rows);
    }
}
