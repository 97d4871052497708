using System.Globalization;
using RetailEdge.Contracts.Events;
using RetailEdge.Simulator;
using Spectre.Console;

namespace RetailEdge.Cli;

/// <summary>The simulate command's summary: events per type and injected faults, as tables.</summary>
internal static class SimulateSummary
{
    public static void Write(TextWriter writer, SimulationOptions options, StoreSimulator simulator, SimulateTally tally, TimeSpan elapsed, string? outPath, string? referenceOut)
    {
        // colours only on a terminal: a redirected summary stays plain text
        var redirected = writer == Console.Error ? Console.IsErrorRedirected : Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        var storeDays = options.Stores * options.Duration.TotalDays;
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"simulated {options.Stores} store(s) × {options.Duration.TotalDays:0.##} day(s), profile {simulator.Profile.Name}, seed {options.Seed}, faults {options.Faults.Name}"));
        var events = new Table();
        events.AddColumn("event type");
        events.AddColumn(new TableColumn("events").RightAligned());
        events.AddColumn(new TableColumn("per store-day").RightAligned());
        events.AddColumn(new TableColumn("lines").RightAligned());
        foreach (var type in StoreEventTypes.All)
        {
            var lines = type switch
            {
                StoreEventTypes.Basket => tally.BasketLines,
                StoreEventTypes.InventoryChange => tally.ChangeLines,
                StoreEventTypes.InventorySnapshot => tally.CountLines,
                _ => tally.ValidByType[type],
            };
            events.AddRow(type, Format(tally.ValidByType[type]), Format(tally.ValidByType[type] / storeDays, "#,0"), Format(lines));
        }
        events.AddRow("[bold]messages written[/]", Format(tally.Messages), Format(tally.Messages / storeDays, "#,0"), string.Empty);
        console.Write(events);

        if (!options.Faults.IsNone)
        {
            var faults = new Table();
            faults.AddColumn("injected fault");
            faults.AddColumn(new TableColumn("count").RightAligned());
            faults.AddColumn("expected reason");
            foreach (var (kind, count) in simulator.Faults.ToDictionary())
            {
                var reason = FaultKinds.ExpectedReason(kind);
                faults.AddRow(kind, Format(count), reason is null ? "(accepted, delayed)" : kind == FaultKinds.MissingField ? reason + "<field>" : reason);
            }
            faults.AddRow("[bold]total[/]", Format(simulator.Faults.Total), string.Empty);
            console.Write(faults);
        }

        var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{tally.Messages:#,0} messages, {tally.Bytes / 1048576.0:0.0} MiB in {elapsed.TotalSeconds:0.00} s ({tally.Messages / seconds:#,0} events/s) → {outPath ?? "stdout"}"));
        if (referenceOut is not null)
        {
            console.WriteLine($"reference data → {referenceOut}");
        }
    }

    private static string Format(double value, string format = "#,0") => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Format(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}
