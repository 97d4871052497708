namespace RetailEdge.Cli.Report;

/// <summary>How a chart draws its points.</summary>
public enum ChartKind
{
    /// <summary>One horizontal bar per category and series, grouped by category.</summary>
    Bars,

    /// <summary>One line per series over ordered categories (time), a point per value.</summary>
    Lines,
}

/// <summary>One series of a chart: a value per category of the chart, or null where it has none.</summary>
public sealed record ReportSeries(string Name, IReadOnlyList<double?> Values);

/// <summary>
/// One chart of the report: the data points as read from the lake, nothing derived in the page, so that the
/// points a browser draws add up to the gold table they came from.
/// </summary>
public sealed record ReportChart(
    string Id,
    string Title,
    string Source,
    string Unit,
    ChartKind Kind,
    IReadOnlyList<string> Categories,
    IReadOnlyList<ReportSeries> Series,
    string? Note = null)
{
    public bool IsEmpty => Series.All(s => s.Values.All(v => v is null));
}

/// <summary>A figure of the run shown above the charts (events, billable units, freshness).</summary>
public sealed record ReportFigure(string Label, string Value);

/// <summary>Everything report.html shows.</summary>
public sealed record ReportModel(string Title, DateTimeOffset GeneratedAt, IReadOnlyList<ReportFigure> Figures, IReadOnlyList<ReportChart> Charts);
