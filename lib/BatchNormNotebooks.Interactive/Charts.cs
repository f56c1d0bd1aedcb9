using System.Globalization;
using Plotly.NET;
using CSharpChart = Plotly.NET.CSharp.Chart;
using Plotly.NET.CSharp;

namespace BatchNormNotebooks.Interactive;

/// <summary>
/// The charts the notebooks share, so a cell stays one or two lines. Every method returns a Plotly.NET
/// <see cref="GenericChart"/>, shown offline once <see cref="Notebook.Setup"/> has run; style it further with
/// Plotly.NET.CSharp's <c>With…</c> extensions if needed.
/// </summary>
public static class Charts
{
    /// <summary>Plotly's default colour cycle, as (r, g, b).</summary>
    private static readonly (int R, int G, int B)[] Palette =
    [
        (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
        (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
    ];

    /// <summary>Several named curves with a legend, e.g. training loss with and without batch norm.</summary>
    /// <param name="series">Curves; each has X and Y of equal length.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">x-axis title.</param>
    /// <param name="yTitle">y-axis title.</param>
    /// <param name="logX">Logarithmic x axis.</param>
    /// <param name="logY">Logarithmic y axis (for losses).</param>
    public static GenericChart Lines(IEnumerable<Series> series, string? title = null, string? xTitle = null, string? yTitle = null, bool logX = false, bool logY = false)
    {
        ArgumentNullException.ThrowIfNull(series);
        var traces = series.Select((s, k) => CSharpChart.Line<double, double, string>(
            Check(s).X, s.Y, Name: s.Name, LineColor: Colour(k)));
        return Style(CSharpChart.Combine(traces), title, xTitle, yTitle, logX, logY);
    }

    /// <summary>Named groups of points, e.g. a 2-D batch before and after normalization.</summary>
    /// <param name="groups">Point groups; each has X and Y of equal length.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">x-axis title.</param>
    /// <param name="yTitle">y-axis title.</param>
    /// <param name="equalAxes">Same scale on both axes, so a circle looks like a circle.</param>
    public static GenericChart Scatter(IEnumerable<Series> groups, string? title = null, string? xTitle = null, string? yTitle = null, bool equalAxes = false)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var traces = groups.Select((s, k) => CSharpChart.Point<double, double, string>(
            Check(s).X, s.Y, Name: s.Name, MarkerColor: Colour(k), Opacity: 0.75));
        var chart = Style(CSharpChart.Combine(traces), title, xTitle, yTitle, false, false);
        if (equalAxes && GenericChart.getLayout(chart).TryGetPropertyValue("yaxis")?.Value is DynamicObj.DynamicObj yAxis)
        {
            yAxis.SetProperty("scaleanchor", "x");
            yAxis.SetProperty("scaleratio", 1.0);
        }

        return chart;
    }

    /// <summary>
    /// Percentile bands: for each band the middle line and the shaded area between low and high, e.g. the
    /// 15/50/85th percentiles of one unit's input over training steps (the paper's Figure 1).
    /// </summary>
    /// <param name="bands">Bands; Low, Mid and High have the length of X.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">x-axis title.</param>
    /// <param name="yTitle">y-axis title.</param>
    public static GenericChart Bands(IEnumerable<PercentileBand> bands, string? title = null, string? xTitle = null, string? yTitle = null)
    {
        ArgumentNullException.ThrowIfNull(bands);
        var traces = new List<GenericChart>();
        int k = 0;
        foreach (var b in bands)
        {
            CheckLength(b.Name, b.X, b.Low, nameof(b.Low));
            CheckLength(b.Name, b.X, b.Mid, nameof(b.Mid));
            CheckLength(b.Name, b.X, b.High, nameof(b.High));
            traces.Add(CSharpChart.Line<double, double, string>(b.X, b.High, Name: $"{b.Name} high", ShowLegend: false, LineColor: Colour(k, 0.0), LineWidth: 0.0));
            traces.Add(CSharpChart.Line<double, double, string>(b.X, b.Low, Name: $"{b.Name} low", ShowLegend: false, LineColor: Colour(k, 0.0), LineWidth: 0.0,
                Fill: StyleParam.Fill.ToNext_y, FillColor: Colour(k, 0.25)));
            traces.Add(CSharpChart.Line<double, double, string>(b.X, b.Mid, Name: b.Name, LineColor: Colour(k)));
            k++;
        }

        return Style(CSharpChart.Combine(traces), title, xTitle, yTitle, false, false);
    }

    /// <summary>Overlaid, semi-transparent histograms of named samples, e.g. pre-activations before and after BN.</summary>
    /// <param name="samples">Samples to compare.</param>
    /// <param name="bins">Approximate number of bins per sample.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">x-axis title.</param>
    /// <param name="density">Normalize each histogram to a probability density (areas 1) so sizes can differ.</param>
    public static GenericChart Histogram(IEnumerable<Sample> samples, int bins = 40, string? title = null, string? xTitle = null, bool density = true)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var traces = samples.Select((s, k) => CSharpChart.Histogram<double, double, string>(
            X: s.Values, Name: s.Name, Opacity: 0.6, NBinsX: bins, MarkerColor: Colour(k),
            HistNorm: density ? StyleParam.HistNorm.ProbabilityDensity : StyleParam.HistNorm.None));
        var chart = WithLayoutProperty(CSharpChart.Combine(traces), "barmode", "overlay");
        return Style(chart, title, xTitle, density ? "density" : "count", false, false);
    }

    /// <summary>
    /// Contour lines of z over an x/y grid, with optimizer trajectories drawn on top as lines with markers.
    /// </summary>
    /// <param name="x">Grid x coordinates, length nx.</param>
    /// <param name="y">Grid y coordinates, length ny.</param>
    /// <param name="z">Values, shape (ny, nx): <c>z[i, j]</c> is the value at (x[j], y[i]).</param>
    /// <param name="paths">Trajectories in the same coordinates (may be empty).</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">x-axis title.</param>
    /// <param name="yTitle">y-axis title.</param>
    public static GenericChart Contour(double[] x, double[] y, double[,] z, IEnumerable<Series>? paths = null, string? title = null, string? xTitle = null, string? yTitle = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(z);
        if (z.GetLength(0) != y.Length || z.GetLength(1) != x.Length)
        {
            throw new ArgumentException($"z has shape ({z.GetLength(0)}, {z.GetLength(1)}) but (y.Length, x.Length) is ({y.Length}, {x.Length}).", nameof(z));
        }

        var traces = new List<GenericChart>
        {
            CSharpChart.Contour<double, double, double, string>(Rows(z), X: x, Y: y, Name: "f", ShowScale: false,
                ColorScale: StyleParam.Colorscale.Viridis, Opacity: 0.85),
        };
        int k = 1;
        foreach (var p in paths ?? [])
        {
            traces.Add(CSharpChart.Line<double, double, string>(Check(p).X, p.Y, Name: p.Name, ShowMarkers: true, LineColor: Colour(k), MarkerColor: Colour(k)));
            k++;
        }

        return Style(CSharpChart.Combine(traces), title, xTitle, yTitle, false, false);
    }

    /// <summary>Contour of <paramref name="f"/> evaluated on the grid <paramref name="x"/> × <paramref name="y"/>, with trajectories on top.</summary>
    /// <param name="f">The function, called as f(x, y).</param>
    /// <param name="x">Grid x coordinates.</param>
    /// <param name="y">Grid y coordinates.</param>
    /// <param name="paths">Trajectories (may be empty).</param>
    /// <param name="title">Chart title.</param>
    public static GenericChart Contour(Func<double, double, double> f, double[] x, double[] y, IEnumerable<Series>? paths = null, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var z = new double[y.Length, x.Length];
        for (int i = 0; i < y.Length; i++)
        {
            for (int j = 0; j < x.Length; j++)
            {
                z[i, j] = f(x[j], y[i]);
            }
        }

        return Contour(x, y, z, paths, title, "x", "y");
    }

    /// <summary>A heatmap with labelled rows and columns and each value written in its cell, e.g. a correlation matrix.</summary>
    /// <param name="z">Values, shape (rows, cols); row 0 is drawn at the top.</param>
    /// <param name="columnLabels">Labels along x, length cols.</param>
    /// <param name="rowLabels">Labels along y, length rows.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="format">Number format of the cell text (.NET format string).</param>
    public static GenericChart Heatmap(double[,] z, string[] columnLabels, string[] rowLabels, string? title = null, string format = "G3")
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(columnLabels);
        ArgumentNullException.ThrowIfNull(rowLabels);
        if (z.GetLength(0) != rowLabels.Length || z.GetLength(1) != columnLabels.Length)
        {
            throw new ArgumentException($"z has shape ({z.GetLength(0)}, {z.GetLength(1)}) but there are {rowLabels.Length} row and {columnLabels.Length} column labels.", nameof(z));
        }

        var rows = Rows(z);
        var text = rows.Select(r => r.Select(v => v.ToString(format, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var chart = CSharpChart.AnnotatedHeatmap<double, string, string, string>(rows, text, X: columnLabels, Y: rowLabels,
            ColorScale: StyleParam.Colorscale.Viridis, ReverseYAxis: true);
        return Style(chart, title, null, null, false, false);
    }

    /// <summary>Charts side by side in a grid, filled row by row.</summary>
    /// <remarks>Plotly.NET's grid re-assigns the axes of the charts it is given, in place: build fresh charts
    /// for a grid rather than also showing the same chart objects on their own afterwards.</remarks>
    /// <param name="charts">The charts (each may have several traces).</param>
    /// <param name="columns">Charts per row.</param>
    /// <param name="titles">Optional title above each chart.</param>
    public static GenericChart Grid(IEnumerable<GenericChart> charts, int columns = 2, IEnumerable<string>? titles = null)
    {
        ArgumentNullException.ThrowIfNull(charts);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        var list = charts.ToList();
        int rows = (list.Count + columns - 1) / columns;

        // Panels that repeat the first panel's series (same count, same colours by position) keep them out of the
        // legend, so each name is listed once.
        int firstCount = list.Count == 0 ? 0 : GenericChart.getTraces(list[0]).Length;
        for (int k = 1; k < list.Count; k++)
        {
            if (GenericChart.getTraces(list[k]).Length == firstCount)
            {
                list[k] = list[k].WithTraceInfo(ShowLegend: false);
            }
        }

        var grid = titles is null
            ? CSharpChart.Grid(list, rows, columns)
            : CSharpChart.Grid(list, rows, columns, SubPlotTitles: titles.ToArray());
        return grid.WithSize(Height: Math.Max(420, 340 * rows));
    }

    private static GenericChart Style(GenericChart chart, string? title, string? xTitle, string? yTitle, bool logX, bool logY)
    {
        if (title is not null)
        {
            var text = new DynamicObj.DynamicObj();
            text.SetProperty("text", title);
            chart = WithLayoutProperty(chart, "title", text);
        }

        // Set an axis type only for log axes: forcing "linear" would break categorical axes (heatmap labels).
        chart = logX
            ? chart.WithXAxisStyle<double, double, string>(TitleText: xTitle ?? "", AxisType: StyleParam.AxisType.Log)
            : chart.WithXAxisStyle<double, double, string>(TitleText: xTitle ?? "");
        return logY
            ? chart.WithYAxisStyle<double, double, string>(TitleText: yTitle ?? "", AxisType: StyleParam.AxisType.Log)
            : chart.WithYAxisStyle<double, double, string>(TitleText: yTitle ?? "");
    }

    private static GenericChart WithLayoutProperty(GenericChart chart, string name, object value)
    {
        var layout = new Layout();
        layout.SetProperty(name, value);
        return GenericChart.addLayout(layout, chart);
    }

    private static double[][] Rows(double[,] z)
    {
        var rows = new double[z.GetLength(0)][];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = new double[z.GetLength(1)];
            for (int j = 0; j < rows[i].Length; j++)
            {
                rows[i][j] = z[i, j];
            }
        }

        return rows;
    }

    private static Color Colour(int k, double alpha = 1.0)
    {
        var (r, g, b) = Palette[k % Palette.Length];
        return Color.fromString(string.Create(CultureInfo.InvariantCulture, $"rgba({r},{g},{b},{alpha})"));
    }

    private static Series Check(Series s)
    {
        ArgumentNullException.ThrowIfNull(s);
        CheckLength(s.Name, s.X, s.Y, nameof(s.Y));
        return s;
    }

    private static void CheckLength(string name, double[] x, double[] values, string what)
    {
        if (x.Length != values.Length)
        {
            throw new ArgumentException($"Series '{name}': X has {x.Length} values but {what} has {values.Length}.");
        }
    }
}
