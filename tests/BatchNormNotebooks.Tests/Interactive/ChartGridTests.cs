using System.Text.Json;
using BatchNormNotebooks.Interactive;
using Plotly.NET;

namespace BatchNormNotebooks.Tests.Interactive;

/// <summary>Charts.Grid: one colour per series name across panels, one legend entry per name, shared axes, and the
/// generated description of a grid.</summary>
[Collection(nameof(ConceptColourCollection))]
public class ChartGridTests
{
    private static readonly double[] X = [0, 1, 2];

    private static GenericChart Panel(params string[] names) => Charts.Lines([.. names.Select((n, k) => new Series(n, X, [1.0 + k, 2.0 + k, 3.0 + k]))]);

    /// <summary>(name, line colour, shown in the legend) of every trace of a figure, in order.</summary>
    private static List<(string Name, string Colour, bool Legend)> Traces(GenericChart chart)
    {
        using var doc = JsonDocument.Parse(GenericChart.toFigureJson(chart));
        return [.. doc.RootElement.GetProperty("data").EnumerateArray().Select(t => (
            t.GetProperty("name").GetString()!,
            t.GetProperty("line").GetProperty("color").GetString()!,
            !t.TryGetProperty("showlegend", out var show) || show.GetBoolean()))];
    }

    private static JsonElement Layout(GenericChart chart) =>
        JsonDocument.Parse(GenericChart.toFigureJson(chart)).RootElement.GetProperty("layout").Clone();

    [Fact]
    public void A_name_keeps_its_colour_in_every_panel_and_a_new_name_gets_a_colour_no_panel_uses()
    {
        Charts.OneColourPerConcept = false;
        var traces = Traces(Charts.Grid([Panel("without BN"), Panel("with BN"), Panel("with BN", "without BN")], columns: 3));
        Assert.Equal(["without BN", "with BN", "with BN", "without BN"], traces.Select(t => t.Name));
        string without = traces[0].Colour, with = traces[1].Colour;
        Assert.NotEqual(without, with);                      // each panel alone would draw its one series in the first colour
        Assert.Equal(with, traces[2].Colour);
        Assert.Equal(without, traces[3].Colour);
        Assert.Equal(2, traces.Count(t => t.Legend));        // each name listed once
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Shared_axes_make_every_later_panel_match_the_first(bool shareX, bool shareY)
    {
        var layout = Layout(Charts.Grid([Panel("a"), Panel("a"), Panel("a")], columns: 3, shareX: shareX, shareY: shareY));
        foreach (string axis in new[] { "xaxis2", "xaxis3", "yaxis2", "yaxis3" })
        {
            bool shared = axis[0] == 'x' ? shareX : shareY;
            bool has = layout.GetProperty(axis).TryGetProperty("matches", out var matches);
            Assert.Equal(shared, has);
            if (shared)
            {
                Assert.Equal(axis[..1], matches.GetString());
            }
        }

        Assert.False(layout.GetProperty("xaxis").TryGetProperty("matches", out _));
    }

    [Fact]
    public void A_grid_is_described_as_a_chart_of_its_panels_with_every_series()
    {
        var (name, description, data) = ChartText.Of(GenericChart.toFigureJson(
            Charts.Grid([Panel("without BN"), Panel("with BN")], titles: ["plain", "normalized"])));
        Assert.StartsWith("Chart of 2 panels", description, StringComparison.Ordinal);
        Assert.Contains("without BN", description, StringComparison.Ordinal);
        Assert.Contains("with BN", description, StringComparison.Ordinal);
        Assert.Contains("<caption>without BN</caption>", data, StringComparison.Ordinal);
        Assert.Contains("<caption>with BN</caption>", data, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(name));
    }
}
