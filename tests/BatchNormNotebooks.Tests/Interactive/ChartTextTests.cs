using System.Text.RegularExpressions;
using BatchNormNotebooks.Interactive;
using Plotly.NET;

namespace BatchNormNotebooks.Tests.Interactive;

public class ChartTextTests
{
    private static readonly double[] Steps = [0, 1, 2, 3];

    [Fact]
    public void A_line_chart_is_named_by_its_title_and_described_from_its_data()
    {
        var chart = Charts.Lines([new Series("without BN", Steps, [2.0, 1.5, 1.2, 1.1]), new Series("with BN", Steps, [2.0, 0.9, 0.4, 0.3])],
            title: "Training loss", xTitle: "step", yTitle: "loss");
        var (name, description, data) = ChartText.Of(GenericChart.toFigureJson(chart));
        Assert.Equal("Line chart: Training loss", name);
        Assert.StartsWith("Line chart of loss against step.", description, StringComparison.Ordinal);
        Assert.Contains("with BN: 4 points for x from 0 to 3; starts at 2, ends at 0.3, lowest 0.3 at x = 3, highest 2 at x = 0.", description, StringComparison.Ordinal);
        Assert.Contains("<caption>without BN</caption>", data, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"col\">step</th><th scope=\"col\">loss</th>", data, StringComparison.Ordinal);
        Assert.Contains("<td>3</td><td>1.1</td>", data, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_panel_of_a_grid_is_described_and_tabulated_with_its_own_axis_titles()
    {
        var chart = Charts.Grid([
            Charts.Histogram([new Sample("train", [1, 2, 3])], xTitle: "background"),
            Charts.Histogram([new Sample("test", [4, 5, 6])], xTitle: "object"),
            Charts.Lines([new Series("range", Steps, [1.0, 2, 3, 4])], xTitle: "step", yTitle: "loss range"),
            Charts.Lines([new Series("beta", Steps, [5.0, 6, 7, 8])], xTitle: "step", yTitle: "β_eff"),
        ], columns: 2);
        var (_, description, data) = ChartText.Of(GenericChart.toFigureJson(chart));
        Assert.StartsWith("Chart of 4 panels. Panel 1, histogram of background: train:", description, StringComparison.Ordinal);
        Assert.Contains("Panel 2, histogram of object: test:", description, StringComparison.Ordinal);
        Assert.Contains("Panel 4, β_eff against step: beta:", description, StringComparison.Ordinal);
        Assert.Contains("<caption>test (values in 12 equal bins)</caption><thead><tr><th scope=\"col\">object from</th>", data, StringComparison.Ordinal);
        Assert.Contains("<caption>beta</caption><thead><tr><th scope=\"col\">step</th><th scope=\"col\">β_eff</th>", data, StringComparison.Ordinal);
        Assert.Contains("<caption>range</caption><thead><tr><th scope=\"col\">step</th><th scope=\"col\">loss range</th>", data, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_series_show_at_most_forty_evenly_spaced_rows_with_the_last()
    {
        double[] x = [.. Enumerable.Range(0, 1000).Select(i => (double)i)];
        var (_, _, data) = ChartText.Of(GenericChart.toFigureJson(Charts.Lines([new Series("s", x, x)])));
        Assert.Equal(ChartText.MaxRows, Regex.Matches(data, "<tr><td>").Count);
        Assert.Contains("(40 of 1000 rows, evenly spaced)", data, StringComparison.Ordinal);
        Assert.Contains("<td>999</td><td>999</td>", data, StringComparison.Ordinal);
    }

    [Fact]
    public void A_histogram_is_described_by_count_range_mean_and_binned_in_its_table()
    {
        var chart = Charts.Histogram([new Sample("y", [1, 2, 3, 4, 10])], xTitle: "value");
        var (name, description, data) = ChartText.Of(GenericChart.toFigureJson(chart));
        Assert.Equal("Histogram", name);
        Assert.Contains("y: 5 values from 1 to 10, mean 4, median 3.", description, StringComparison.Ordinal);
        Assert.Equal(5, Regex.Matches(data, "<td>([0-9]+)</td></tr>").Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void A_heatmap_names_its_extremes_and_tabulates_every_cell()
    {
        var chart = Charts.Heatmap(new double[,] { { 1, 5 }, { -2, 0 } }, ["a", "b"], ["r1", "r2"], title: "Correlation");
        var (name, description, data) = ChartText.Of(GenericChart.toFigureJson(chart));
        Assert.Equal("Heatmap: Correlation", name);
        Assert.Contains("2 × 2 values from -2 (x = a, y = r2) to 5 (x = b, y = r1)", description, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\">r1</th><td>1</td><td>5</td>", data, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_rendered_chart_is_a_figure_with_name_description_and_data()
    {
        string html = ChartHtml.Render(Charts.Scatter([new Series("batch", [1, 2], [3, 4])], title: "A batch"));
        Assert.Matches("<figure class=\"bnn-figure\" aria-labelledby=\"(?<id>[^\"]+)-name\" aria-describedby=\"\\k<id>-description\"", html);
        Assert.Contains("Scatter plot: A batch.</span>", html, StringComparison.Ordinal);
        Assert.Contains("<details class=\"bnn-chart-data\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_slider_chart_carries_one_frame_per_step_and_a_keyboard_range_input()
    {
        SliderStep Step(double w) => new(w.ToString(System.Globalization.CultureInfo.InvariantCulture), [new Series("running mean", Steps, [.. Steps.Select(t => 1 - Math.Pow(1 - w, t))])]);
        string html = ChartHtml.Render(Charts.Slider("momentum w", [Step(0.1), Step(0.5), Step(0.9)], title: "Running mean", active: 1));
        var figure = Regex.Match(html, @"var figure = (?<json>\{.*\});\n", RegexOptions.Singleline).Groups["json"].Value.Replace("<\\/", "</", StringComparison.Ordinal);
        using var doc = System.Text.Json.JsonDocument.Parse(figure);
        var frames = doc.RootElement.GetProperty("frames");
        Assert.Equal(["0.1", "0.5", "0.9"], frames.EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.Equal(0.75, frames[1].GetProperty("data")[0].GetProperty("y")[2].GetDouble(), 12);
        var slider = doc.RootElement.GetProperty("layout").GetProperty("sliders")[0];
        Assert.Equal(1, slider.GetProperty("active").GetInt32());
        Assert.Equal(3, slider.GetProperty("steps").GetArrayLength());
        Assert.False(doc.RootElement.GetProperty("layout").TryGetProperty("bnnFrames", out _));
        Assert.Matches("<input type=\"range\" id=\"[^\"]+-slider\" min=\"0\" max=\"2\" step=\"1\" value=\"1\" aria-valuetext=\"0.5\">", html);
        Assert.Contains("A slider steps through 3 precomputed settings", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Series_differ_by_dash_and_marker_not_only_by_colour()
    {
        string lines = GenericChart.toFigureJson(Charts.Lines([new Series("a", Steps, Steps), new Series("b", Steps, Steps)]));
        Assert.Contains("\"dash\":\"solid\"", lines, StringComparison.Ordinal);
        Assert.Contains("\"dash\":\"dash\"", lines, StringComparison.Ordinal);
        string points = GenericChart.toFigureJson(Charts.Scatter([new Series("a", Steps, Steps), new Series("b", Steps, Steps)]));
        Assert.Contains("\"symbol\":\"circle\"", points, StringComparison.Ordinal);
        Assert.Contains("\"symbol\":\"square\"", points, StringComparison.Ordinal);
    }
}

/// <summary>Changes <see cref="Charts.OneColourPerConcept"/>, process-wide state: runs alone.</summary>
[CollectionDefinition(nameof(ConceptColourCollection), DisableParallelization = true)]
public sealed class ConceptColourCollection;

[Collection(nameof(ConceptColourCollection))]
public class ConceptColourTests
{
    private static readonly double[] X = [0, 1];

    [Fact]
    public void A_concept_keeps_its_colour_and_dash_from_chart_to_chart()
    {
        Charts.ResetConceptColours();
        Charts.OneColourPerConcept = true;
        try
        {
            string first = GenericChart.toFigureJson(Charts.Lines([new Series("PyTorch (w = 0.1)", X, X), new Series("Keras (w = 0.01)", X, X)]));
            string second = GenericChart.toFigureJson(Charts.Lines([new Series("population", X, X), new Series("Keras", X, X), new Series("PyTorch", X, X)]));
            Assert.Equal(Style(first, "PyTorch (w = 0.1)"), Style(second, "PyTorch"));
            Assert.Equal(Style(first, "Keras (w = 0.01)"), Style(second, "Keras"));
            Assert.NotEqual(Style(second, "population"), Style(second, "PyTorch"));
            Assert.NotEqual(Style(second, "population"), Style(second, "Keras"));
        }
        finally
        {
            Charts.OneColourPerConcept = false;
            Charts.ResetConceptColours();
        }
    }

    /// <summary>The line colour and dash of the trace named <paramref name="name"/>.</summary>
    private static string Style(string figure, string name)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(figure);
        var line = doc.RootElement.GetProperty("data").EnumerateArray().Single(t => t.GetProperty("name").GetString() == name).GetProperty("line");
        return line.GetProperty("color").GetString() + " " + line.GetProperty("dash").GetString();
    }
}
