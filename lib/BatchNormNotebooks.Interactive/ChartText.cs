using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace BatchNormNotebooks.Interactive;

/// <summary>
/// The text alternative of a chart, generated from its plotly figure (so every chart of <see cref="Charts"/> gets one
/// without per-cell work): an accessible name, a short description (what is plotted against what, the ranges and the
/// first, last, lowest and highest values of each series) and the plotted series as HTML tables for a collapsed
/// "data" disclosure. <see cref="ChartHtml"/> puts all three beside the chart.
/// </summary>
public static class ChartText
{
    /// <summary>Most rows a series' data table shows; longer series show evenly spaced rows, the last one included.</summary>
    public const int MaxRows = 40;

    /// <summary>Name, description and data tables of the plotly figure JSON <paramref name="figureJson"/>.</summary>
    public static (string Name, string Description, string DataHtml) Of(string figureJson)
    {
        ArgumentNullException.ThrowIfNull(figureJson);
        using var doc = JsonDocument.Parse(figureJson);
        var root = doc.RootElement;
        var layout = root.TryGetProperty("layout", out var l) ? l : default;
        var traces = root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Array ? d.EnumerateArray().ToList() : [];
        string title = Text(layout, "title") ?? "";
        string xTitle = AxisTitle(layout, "xaxis") ?? "x";
        string yTitle = AxisTitle(layout, "yaxis") ?? "y";
        var types = traces.Select(t => Str(t, "type") ?? "scatter").Distinct().ToList();
        int panels = traces.Select(t => Str(t, "xaxis") ?? "x").Distinct().Count();
        string kind = panels > 1 ? $"Chart of {panels} panels"
            : types.Contains("heatmap") ? "Heatmap"
            : types.Contains("contour") ? "Contour plot"
            : types.Contains("histogram") ? "Histogram"
            : traces.All(t => (Str(t, "mode") ?? "").Contains("lines", StringComparison.Ordinal)) ? "Line chart"
            : "Scatter plot";
        string name = title.Length > 0 ? $"{kind}: {title}" : kind;

        var description = new StringBuilder();
        if (panels > 1)
        {
            description.Append(kind).Append('.');
        }
        else
        {
            description.Append(types.Contains("histogram") ? $"{kind} of {xTitle}." : types.Contains("heatmap") ? $"{kind}." : $"{kind} of {yTitle} against {xTitle}.");
        }

        var tables = new StringBuilder();
        var panelOrder = new List<string>();
        int n = 0;
        foreach (var trace in traces)
        {
            n++;
            string seriesName = Str(trace, "name") is { Length: > 0 } s ? s : $"series {n}";
            string type = Str(trace, "type") ?? "scatter";
            if (panels > 1)
            {
                // Each panel of a grid has its own axes (x2/y2, …): its captions and table headers use its own titles.
                string panel = Str(trace, "xaxis") ?? "x";
                xTitle = PanelAxisTitle(layout, trace, "x") ?? "x";
                yTitle = PanelAxisTitle(layout, trace, "y") ?? "y";
                if (!panelOrder.Contains(panel))
                {
                    panelOrder.Add(panel);
                    string what = type == "histogram" ? $"histogram of {xTitle}" : type is "heatmap" or "contour" ? type : $"{yTitle} against {xTitle}";
                    description.Append(CultureInfo.InvariantCulture, $" Panel {panelOrder.Count}, {what}:");
                }
            }

            if (type is "heatmap" or "contour")
            {
                description.Append(' ').Append(Grid(trace, seriesName, type, tables));
                continue;
            }

            double[] x = Numbers(trace, "x");
            double[] y = Numbers(trace, "y");
            if (type == "histogram")
            {
                description.Append(' ').Append(Histogram(seriesName, x, xTitle, tables));
                continue;
            }

            if (y.Length == 0)
            {
                continue;
            }

            if (x.Length != y.Length)
            {
                x = [.. Enumerable.Range(0, y.Length).Select(i => (double)i)];
            }

            description.Append(' ').Append(Series(seriesName, x, y));
            Table(tables, seriesName, [xTitle, yTitle], Rows(x.Length).Select(i => new[] { F(x[i]), F(y[i]) }), x.Length);
        }

        if (root.TryGetProperty("frames", out var frames) && frames.ValueKind == JsonValueKind.Array && frames.GetArrayLength() > 0)
        {
            description.Append(CultureInfo.InvariantCulture, $" A slider steps through {frames.GetArrayLength()} precomputed settings; the description and data are those of the position shown first.");
        }

        return (name, description.ToString(), tables.ToString());
    }

    private static string Series(string name, double[] x, double[] y)
    {
        var finite = Enumerable.Range(0, y.Length).Where(i => double.IsFinite(y[i]) && double.IsFinite(x[i])).ToList();
        if (finite.Count == 0)
        {
            return $"{name}: {y.Length} points, none finite.";
        }

        int lo = finite.MinBy(i => y[i]), hi = finite.MaxBy(i => y[i]);
        return $"{name}: {y.Length} points for x from {F(finite.Min(i => x[i]))} to {F(finite.Max(i => x[i]))}; " +
            $"starts at {F(y[finite[0]])}, ends at {F(y[finite[^1]])}, lowest {F(y[lo])} at x = {F(x[lo])}, highest {F(y[hi])} at x = {F(x[hi])}.";
    }

    private static string Histogram(string name, double[] values, string xTitle, StringBuilder tables)
    {
        var v = values.Where(double.IsFinite).Order().ToArray();
        if (v.Length == 0)
        {
            return $"{name}: no finite values.";
        }

        double min = v[0], max = v[^1];
        const int bins = 12;
        double width = max > min ? (max - min) / bins : 1;
        var counts = new int[bins];
        foreach (double value in v)
        {
            counts[Math.Min(bins - 1, (int)((value - min) / width))]++;
        }

        Table(tables, name + " (values in 12 equal bins)", [$"{xTitle} from", "to", "count"],
            Enumerable.Range(0, bins).Select(b => new[] { F(min + (b * width)), F(min + ((b + 1) * width)), counts[b].ToString(CultureInfo.InvariantCulture) }), bins);
        return $"{name}: {v.Length} values from {F(min)} to {F(max)}, mean {F(v.Average())}, median {F(v[v.Length / 2])}.";
    }

    private static string Grid(JsonElement trace, string name, string type, StringBuilder tables)
    {
        if (!trace.TryGetProperty("z", out var z) || z.ValueKind != JsonValueKind.Array)
        {
            return "";
        }

        var rows = z.EnumerateArray().Select(r => r.ValueKind == JsonValueKind.Array ? r.EnumerateArray().Select(Number).ToArray() : []).ToArray();
        string[] xs = Labels(trace, "x", rows.Length == 0 ? 0 : rows[0].Length);
        string[] ys = Labels(trace, "y", rows.Length);
        var cells = rows.SelectMany((r, i) => r.Select((v, j) => (v, i, j))).Where(c => double.IsFinite(c.v)).ToList();
        if (cells.Count == 0)
        {
            return $"{name}: no finite values.";
        }

        var lo = cells.MinBy(c => c.v);
        var hi = cells.MaxBy(c => c.v);
        int[] shownRows = [.. Rows(rows.Length, 20)];
        int[] shownCols = [.. Rows(xs.Length, 12)];
        Table(tables, $"{name} ({type}, rows y, columns x)", ["y \\ x", .. shownCols.Select(j => xs[j])],
            shownRows.Select(i => new[] { ys[i] }.Concat(shownCols.Select(j => j < rows[i].Length ? F(rows[i][j]) : "")).ToArray()), rows.Length, rowHeaders: true);
        return $"{name}: {rows.Length} × {xs.Length} values from {F(lo.v)} (x = {xs[lo.j]}, y = {ys[lo.i]}) to {F(hi.v)} (x = {xs[hi.j]}, y = {ys[hi.i]}).";
    }

    private static void Table(StringBuilder html, string caption, string[] headers, IEnumerable<string[]> rows, int total, bool rowHeaders = false)
    {
        var list = rows.ToList();
        string note = list.Count < total ? $" ({list.Count} of {total} rows, evenly spaced)" : "";
        html.Append("<table class=\"bnn-chart-table\"><caption>").Append(WebUtility.HtmlEncode(caption + note)).Append("</caption><thead><tr>");
        foreach (string h in headers)
        {
            html.Append("<th scope=\"col\">").Append(WebUtility.HtmlEncode(h)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var row in list)
        {
            html.Append("<tr>");
            for (int k = 0; k < row.Length; k++)
            {
                string cell = WebUtility.HtmlEncode(row[k]);
                html.Append(rowHeaders && k == 0 ? $"<th scope=\"row\">{cell}</th>" : $"<td>{cell}</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table>");
    }

    /// <summary>At most <paramref name="max"/> evenly spaced indices of 0..n−1, first and last included.</summary>
    private static IEnumerable<int> Rows(int n, int max = MaxRows) =>
        n <= max ? Enumerable.Range(0, n) : Enumerable.Range(0, max).Select(k => (int)Math.Round(k * (n - 1) / (double)(max - 1))).Distinct();

    private static string F(double v) => double.IsNaN(v) ? "NaN" : double.IsInfinity(v) ? (v > 0 ? "∞" : "−∞") : v.ToString("G4", CultureInfo.InvariantCulture);

    private static double[] Numbers(JsonElement trace, string property) =>
        trace.TryGetProperty(property, out var a) && a.ValueKind == JsonValueKind.Array ? [.. a.EnumerateArray().Select(Number)] : [];

    private static string[] Labels(JsonElement trace, string property, int count) =>
        trace.TryGetProperty(property, out var a) && a.ValueKind == JsonValueKind.Array && a.GetArrayLength() == count
            ? [.. a.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number ? F(e.GetDouble()) : e.ToString())]
            : [.. Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    private static double Number(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String when double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) => v,
        JsonValueKind.String when e.GetString() is "Infinity" => double.PositiveInfinity,
        JsonValueKind.String when e.GetString() is "-Infinity" => double.NegativeInfinity,
        _ => double.NaN,
    };

    private static string? Str(JsonElement e, string property) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string? Text(JsonElement e, string property) =>
        e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(property, out var v) ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : Str(v, "text");

    /// <summary>The title of the <paramref name="letter"/> axis ("x" or "y") the trace is drawn on: <c>"y2"</c> → <c>layout.yaxis2</c>.</summary>
    private static string? PanelAxisTitle(JsonElement layout, JsonElement trace, string letter)
    {
        string reference = Str(trace, letter + "axis") ?? letter;
        return AxisTitle(layout, letter + "axis" + (reference.Length > 1 ? reference[1..] : ""));
    }

    private static string? AxisTitle(JsonElement layout, string axis) =>
        layout.ValueKind == JsonValueKind.Object && layout.TryGetProperty(axis, out var a) && Text(a, "title") is { Length: > 0 } t ? t : null;
}
