using System.Globalization;
using System.Text.Json;
using RetailEdge.Lakehouse;
using RetailEdge.Lakehouse.Hosting;
using Spectre.Console;

namespace RetailEdge.Cli;

/// <summary>How `retailedge fleet status` prints the rows: a table with a summary line, or JSON lines.</summary>
internal static class FleetStatusView
{
    /// <summary>Unhealthy stores first (errors, then stale), then by store id and device id.</summary>
    public static IReadOnlyList<StoreHealthRow> Order(IEnumerable<StoreHealthRow> rows) =>
        rows.OrderBy(r => r.HasError ? 0 : r.Stale ? 1 : 2)
            .ThenBy(r => r.StoreId ?? int.MaxValue)
            .ThenBy(r => r.DeviceId, StringComparer.Ordinal)
            .ToList();

    public static void WriteTable(TextWriter writer, IReadOnlyList<StoreHealthRow> rows, string origin, DateTimeOffset now)
    {
        // colours only on a terminal: redirected output stays plain text
        var redirected = writer != Console.Out || Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        if (redirected)
        {
            // no terminal width to fit: keep each module on one line for grep and logs
            console.Profile.Width = 320;
        }
        var observed = rows.Count == 0 ? now : rows.Max(r => r.ObservedAt);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{rows.Count} store gateway(s): {rows.Count(r => r.Healthy)} healthy, {rows.Count(r => r.Stale)} stale, {rows.Count(r => r.HasError)} with errors "
            + $"(from {origin}, observed {observed.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z, {Age(now - observed)} ago)"));
        if (rows.Count == 0)
        {
            return;
        }
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in new[] { "health", "store", "device", "status", "last sent", "backlog", "oldest unsent", "rejected", "dropped", "reference data", "deployment", "image", "error" })
        {
            table.AddColumn(column is "store" or "backlog" or "oldest unsent" or "rejected" or "dropped" ? new TableColumn(column).RightAligned() : new TableColumn(column));
        }
        foreach (var row in rows)
        {
            table.AddRow(
                row.HasError ? "[red]error[/]" : row.Stale ? "[yellow]stale[/]" : "[green]ok[/]",
                Cell(row.StoreId?.ToString(CultureInfo.InvariantCulture)),
                Cell(row.DeviceId),
                Cell(row.Status),
                Cell(row.LastSentAt is { } sent ? Age(row.ObservedAt - sent) + " ago" : "never"),
                Cell(row.BufferedBatches?.ToString("N0", CultureInfo.InvariantCulture)),
                Cell(row.OldestUnsentAgeSeconds is { } age ? Age(TimeSpan.FromSeconds(age)) : null),
                Cell(row.Rejected?.ToString("N0", CultureInfo.InvariantCulture)),
                Cell(row.Dropped?.ToString("N0", CultureInfo.InvariantCulture)),
                Cell(row.ReferenceDataVersion),
                Cell(row.Deployment),
                Cell(row.ModuleImage),
                Cell(Error(row)));
        }
        console.Write(table);
    }

    public static void WriteJson(TextWriter writer, IReadOnlyList<StoreHealthRow> rows)
    {
        foreach (var row in rows)
        {
            writer.WriteLine(JsonSerializer.Serialize(row, CliJsonContext.Default.StoreHealthRow));
        }
    }

    /// <summary>A short age such as 45s, 12m, 3h 5m or 2d 4h.</summary>
    public static string Age(TimeSpan age)
    {
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }
        return age.TotalMinutes < 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalSeconds}s")
            : age.TotalHours < 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalMinutes}m")
            : age.TotalDays < 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalHours}h {age.Minutes}m")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalDays}d {age.Hours}h");
    }

    private static string? Error(StoreHealthRow row) =>
        row.ConfigError is { Length: > 0 } config ? "config: " + config
        : row.ReferenceDataError is { Length: > 0 } reference ? "reference data: " + reference
        : null;

    // twin values are untrusted text: escape them so a reported "[red]" is shown, not interpreted
    private static string Cell(string? value) => value is null ? string.Empty : Markup.Escape(value);
}
