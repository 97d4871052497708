using System.Globalization;
using System.Net;
using System.Text;

namespace RetailEdge.Cli.Report;

/// <summary>
/// Renders a <see cref="ReportModel"/> as one self-contained HTML page: inline CSS and SVG only, no script,
/// font or image from anywhere, so it opens from a file on a machine without network. Every drawn value is
/// an SVG element of class <c>point</c> carrying its exact value in <c>data-value</c>, which lets a reader
/// (or a test) check the picture against the table it came from.
/// </summary>
public static class ReportPage
{
    private const int Width = 960;
    private const int LabelWidth = 250;
    private const int MaxLabelLength = 40;
    private const int BarHeight = 12;
    private const int BarGap = 2;
    private const int GroupGap = 8;
    private const int LineHeight = 260;
    private const int Margin = 12;

    private static readonly string[] Palette =
        ["#2b6cb0", "#dd6b20", "#2f855a", "#c53030", "#6b46c1", "#b7791f", "#2c7a7b", "#97266d", "#4a5568", "#38a169"];

    public static string Render(ReportModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var html = new StringBuilder(64 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n")
            .Append("<title>").Append(Encode(model.Title)).Append("</title>\n<style>\n")
            .Append("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#1a202c;max-width:1000px}\n")
            .Append("h1{font-size:22px}h2{font-size:17px;margin:28px 0 4px}p.source,p.note{color:#4a5568;font-size:12px;margin:2px 0}\n")
            .Append("table.figures{border-collapse:collapse;margin:8px 0}table.figures td{padding:3px 12px 3px 0;font-size:14px}\n")
            .Append("table.figures td:first-child{color:#4a5568}svg text{font-size:11px;fill:#2d3748}.legend span{margin-right:14px;font-size:12px}\n")
            .Append(".legend i{display:inline-block;width:10px;height:10px;margin-right:4px}\n")
            .Append("</style>\n</head>\n<body>\n<h1>").Append(Encode(model.Title)).Append("</h1>\n")
            .Append("<p class=\"source\">Generated ").Append(model.GeneratedAt.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))
            .Append(" from the lake's gold and silver tables.</p>\n");
        if (model.Figures.Count > 0)
        {
            html.Append("<table class=\"figures\">\n");
            foreach (var figure in model.Figures)
            {
                html.Append("<tr><td>").Append(Encode(figure.Label)).Append("</td><td>").Append(Encode(figure.Value)).Append("</td></tr>\n");
            }
            html.Append("</table>\n");
        }
        foreach (var chart in model.Charts)
        {
            html.Append("<section id=\"").Append(Encode(chart.Id)).Append("\" class=\"chart\">\n<h2>").Append(Encode(chart.Title)).Append("</h2>\n")
                .Append("<p class=\"source\">").Append(Encode(chart.Source)).Append("</p>\n");
            if (chart.Note is not null)
            {
                html.Append("<p class=\"note\">").Append(Encode(chart.Note)).Append("</p>\n");
            }
            if (chart.IsEmpty)
            {
                html.Append("<p class=\"note\">No rows.</p>\n</section>\n");
                continue;
            }
            AppendLegend(html, chart);
            if (chart.Kind == ChartKind.Lines)
            {
                AppendLines(html, chart);
            }
            else
            {
                AppendBars(html, chart);
            }
            html.Append("</section>\n");
        }
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendLegend(StringBuilder html, ReportChart chart)
    {
        if (chart.Series.Count < 2)
        {
            return;
        }
        html.Append("<div class=\"legend\">");
        for (var s = 0; s < chart.Series.Count; s++)
        {
            html.Append("<span><i style=\"background:").Append(Color(s)).Append("\"></i>").Append(Encode(chart.Series[s].Name)).Append("</span>");
        }
        html.Append("</div>\n");
    }

    private static void AppendBars(StringBuilder html, ReportChart chart)
    {
        var (min, max) = Range(chart);
        min = Math.Min(min, 0);
        max = Math.Max(max, 0);
        var span = max - min == 0 ? 1 : max - min;
        var plotWidth = Width - LabelWidth - 2 * Margin - 90;
        var groupHeight = chart.Series.Count * (BarHeight + BarGap) + GroupGap;
        var height = chart.Categories.Count * groupHeight + 2 * Margin;
        double X(double value) => LabelWidth + Margin + (value - min) / span * plotWidth;

        html.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" role=\"img\">\n");
        var zero = X(0);
        html.Append(CultureInfo.InvariantCulture, $"<line x1=\"{zero:F1}\" y1=\"{Margin}\" x2=\"{zero:F1}\" y2=\"{height - Margin}\" stroke=\"#a0aec0\"/>\n");
        for (var c = 0; c < chart.Categories.Count; c++)
        {
            var top = Margin + c * groupHeight;
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth}\" y=\"{top + BarHeight - 2}\" text-anchor=\"end\">{Encode(Shorten(chart.Categories[c]))}</text>\n");
            for (var s = 0; s < chart.Series.Count; s++)
            {
                if (chart.Series[s].Values[c] is not { } value)
                {
                    continue;
                }
                var y = top + s * (BarHeight + BarGap);
                var x = Math.Min(X(value), zero);
                var width = Math.Max(Math.Abs(X(value) - zero), 1);
                html.Append(CultureInfo.InvariantCulture,
                    $"<rect class=\"point\" data-series=\"{Encode(chart.Series[s].Name)}\" data-category=\"{Encode(chart.Categories[c])}\" data-value=\"{Format(value)}\" x=\"{x:F1}\" y=\"{y}\" width=\"{width:F1}\" height=\"{BarHeight}\" fill=\"{Color(s)}\">")
                    .Append("<title>").Append(Encode($"{chart.Categories[c]} · {chart.Series[s].Name}: {Display(value)} {chart.Unit}")).Append("</title></rect>\n")
                    .Append(CultureInfo.InvariantCulture, $"<text x=\"{Math.Max(X(value), zero) + 4:F1}\" y=\"{y + BarHeight - 2}\">{Encode(Display(value))}</text>\n");
            }
        }
        html.Append("</svg>\n");
    }

    private static void AppendLines(StringBuilder html, ReportChart chart)
    {
        var (min, max) = Range(chart);
        min = Math.Min(min, 0);
        var span = max - min == 0 ? 1 : max - min;
        var left = 60;
        var plotWidth = Width - left - 2 * Margin;
        var count = Math.Max(chart.Categories.Count - 1, 1);
        var height = LineHeight + 2 * Margin + 16;
        double X(int index) => left + Margin + (double)index / count * plotWidth;
        double Y(double value) => Margin + LineHeight - (value - min) / span * LineHeight;

        html.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" role=\"img\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left + Margin}\" y1=\"{Y(min):F1}\" x2=\"{Width - Margin}\" y2=\"{Y(min):F1}\" stroke=\"#a0aec0\"/>\n")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"{left + Margin - 4}\" y=\"{Y(max) + 4:F1}\" text-anchor=\"end\">{Encode(Display(max))}</text>\n")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"{left + Margin - 4}\" y=\"{Y(min):F1}\" text-anchor=\"end\">{Encode(Display(min))}</text>\n")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"{left + Margin}\" y=\"{height - 4}\">{Encode(chart.Categories[0])}</text>\n")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Margin}\" y=\"{height - 4}\" text-anchor=\"end\">{Encode(chart.Categories[^1])}</text>\n");
        for (var s = 0; s < chart.Series.Count; s++)
        {
            var series = chart.Series[s];
            var path = new StringBuilder();
            for (var c = 0; c < series.Values.Count; c++)
            {
                if (series.Values[c] is { } value)
                {
                    path.Append(path.Length == 0 ? 'M' : 'L').Append(CultureInfo.InvariantCulture, $"{X(c):F1} {Y(value):F1} ");
                }
            }
            html.Append(CultureInfo.InvariantCulture, $"<path d=\"{path.ToString().TrimEnd()}\" fill=\"none\" stroke=\"{Color(s)}\" stroke-width=\"1\" opacity=\"0.7\"/>\n");
            for (var c = 0; c < series.Values.Count; c++)
            {
                if (series.Values[c] is { } value)
                {
                    html.Append(CultureInfo.InvariantCulture,
                        $"<circle class=\"point\" data-series=\"{Encode(series.Name)}\" data-category=\"{Encode(chart.Categories[c])}\" data-value=\"{Format(value)}\" cx=\"{X(c):F1}\" cy=\"{Y(value):F1}\" r=\"1.6\" fill=\"{Color(s)}\">")
                        .Append("<title>").Append(Encode($"{chart.Categories[c]} · {series.Name}: {Display(value)} {chart.Unit}")).Append("</title></circle>\n");
                }
            }
        }
        html.Append("</svg>\n");
    }

    private static (double Min, double Max) Range(ReportChart chart)
    {
        var values = chart.Series.SelectMany(s => s.Values).Where(v => v is not null).Select(v => v!.Value).ToList();
        return values.Count == 0 ? (0, 0) : (values.Min(), values.Max());
    }

    private static string Shorten(string label) => label.Length <= MaxLabelLength ? label : "…" + label[^(MaxLabelLength - 1)..];

    private static string Color(int series) => Palette[series % Palette.Length];

    /// <summary>The exact value, round-trippable, for data-value.</summary>
    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Display(double value) =>
        Math.Abs(value) >= 100 || value == Math.Floor(value)
            ? value.ToString("#,0", CultureInfo.InvariantCulture)
            : value.ToString("#,0.##", CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
