using System.Globalization;
using System.Text.RegularExpressions;
using Plotly.NET;
using Plotly.NET.CSharp;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace BatchNormNotebooks.Interactive;

/// <summary>
/// The charts the notebooks share, so a cell stays one or two lines. Every method returns a Plotly.NET
/// <see cref="GenericChart"/>, shown offline once <see cref="Notebook.Setup"/> has run; style it further with
/// Plotly.NET.CSharp's <c>With…</c> extensions if needed.
/// </summary>
/// <remarks>
/// Every chart spans the width of the page or notebook (<see cref="ChartHtml"/> drops Plotly.NET's fixed 600 px),
/// puts its legend in one row under the plot, and labels log axes at powers of ten only. To compare two charts
/// (with and without batch norm), give both the same <c>yRange</c> (line charts) or <c>zRange</c> (heatmaps,
/// contours); <see cref="RangeOf(IEnumerable{Series}[])"/> and <see cref="RangeOf(double[][,])"/> compute one
/// range that covers several charts.
/// </remarks>
public static partial class Charts
{
    /// <summary>Plotly's default colour cycle, as (r, g, b).</summary>
    private static readonly (int R, int G, int B)[] Palette =
    [
        (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
        (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
    ];

    /// <summary>Height in pixels of a single chart.</summary>
    private const int ChartHeight = 420;

    /// <summary>Height in pixels of one row of a <see cref="Grid"/>.</summary>
    private const int GridRowHeight = 340;

    /// <summary>Several named curves with a legend, e.g. training loss with and without batch norm.</summary>
    /// <param name="series">Curves; each has X and Y of equal length.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">x-axis title.</param>
    /// <param name="yTitle">y-axis title.</param>
    /// <param name="logX">Logarithmic x axis.</param>
    /// <param name="logY">Logarithmic y axis (for losses).</param>
    /// <param name="xRange">Fixed x range in data units (also for a log axis); null fits the data.</param>
    /// <param name="yRange">Fixed y range in data units, e.g. the same for the charts with and without BN.</param>
    public static GenericChart Lines(IEnumerable<Series> series, string? title = null, string? xTitle = null, string? yTitle = null, bool logX = false, bool logY = false,
        (double Min, double Max)? xRange = null, (double Min, double Max)? yRange = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        var list = series.Select(Check).ToList();
        int[] colours = ColourIndices(list.Select(s => s.Name));
        var traces = list.Select((s, k) => CSharpChart.Line<double, double, string>(s.X, s.Y, Name: s.Name, LineColor: Colour(colours[k])));
        return Style(CSharpChart.Combine(traces), title,
            new Axis(xTitle, logX, xRange, list.SelectMany(s => s.X)),
            new Axis(yTitle, logY, yRange, list.SelectMany(s => s.Y)));
    }

    /// <summary>Named groups of points, e.g. a 2-D batch before and after normalization.</summary>
    /// <param name="groups">Point groups; each has X and Y of equal length.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">x-axis title.</param>
    /// <param name="yTitle">y-axis title.</param>
    /// <param name="equalAxes">Same scale on both axes, so a circle looks like a circle.</param>
    /// <param name="xRange">Fixed x range; null fits the data.</param>
    /// <param name="yRange">Fixed y range; null fits the data.</param>
    public static GenericChart Scatter(IEnumerable<Series> groups, string? title = null, string? xTitle = null, string? yTitle = null, bool equalAxes = false,
        (double Min, double Max)? xRange = null, (double Min, double Max)? yRange = null)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var list = groups.Select(Check).ToList();
        int[] colours = ColourIndices(list.Select(s => s.Name));
        var traces = list.Select((s, k) => CSharpChart.Point<double, double, string>(
            s.X, s.Y, Name: s.Name, MarkerColor: Colour(colours[k]), Opacity: 0.75));
        var chart = Style(CSharpChart.Combine(traces), title, new Axis(xTitle, false, xRange), new Axis(yTitle, false, yRange));
        return equalAxes ? EqualAxes(chart) : chart;
    }

    /// <summary>
    /// Bands: for each band the middle line and the shaded area between low and high, e.g. the 15/50/85th
    /// percentiles of one unit's input over training steps (<see cref="PercentileBand"/>, the paper's Figure 1), a
    /// mean ± sd over seeds (<see cref="MeanSdBand"/>) or a mean with the range over seeds (<see cref="RangeBand"/>).
    /// </summary>
    /// <param name="bands">Bands; Low, Mid and High have the length of X.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">x-axis title.</param>
    /// <param name="yTitle">y-axis title.</param>
    /// <param name="yRange">Fixed y range, e.g. the same for the panels with and without BN; null fits the data.</param>
    public static GenericChart Bands(IEnumerable<Band> bands, string? title = null, string? xTitle = null, string? yTitle = null,
        (double Min, double Max)? yRange = null)
    {
        ArgumentNullException.ThrowIfNull(bands);
        var traces = new List<GenericChart>();
        var bandList = bands.ToList();
        int[] colours = ColourIndices(bandList.Select(b => b.Name));
        int n = 0;
        foreach (var b in bandList)
        {
            int k = colours[n++];
            CheckLength(b.Name, b.X, b.Low, nameof(b.Low));
            CheckLength(b.Name, b.X, b.Mid, nameof(b.Mid));
            CheckLength(b.Name, b.X, b.High, nameof(b.High));
            traces.Add(CSharpChart.Line<double, double, string>(b.X, b.High, Name: $"{b.Name} high", ShowLegend: false, LineColor: Colour(k, 0.0), LineWidth: 0.0));
            traces.Add(CSharpChart.Line<double, double, string>(b.X, b.Low, Name: $"{b.Name} low", ShowLegend: false, LineColor: Colour(k, 0.0), LineWidth: 0.0,
                Fill: StyleParam.Fill.ToNext_y, FillColor: Colour(k, 0.25)));
            traces.Add(CSharpChart.Line<double, double, string>(b.X, b.Mid, Name: b.Name, LineColor: Colour(k)));
        }

        return Style(CSharpChart.Combine(traces), title, new Axis(xTitle, false, null), new Axis(yTitle, false, yRange));
    }

    /// <summary>Overlaid, semi-transparent histograms of named samples, e.g. pre-activations before and after BN.</summary>
    /// <param name="samples">Samples to compare.</param>
    /// <param name="bins">Approximate number of bins per sample.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">x-axis title.</param>
    /// <param name="density">Normalize each histogram to a probability density (areas 1) so sizes can differ.</param>
    /// <param name="xRange">Fixed x range, e.g. the same for two histograms that are compared; null fits the data.</param>
    public static GenericChart Histogram(IEnumerable<Sample> samples, int bins = 40, string? title = null, string? xTitle = null, bool density = true,
        (double Min, double Max)? xRange = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var list = samples.ToList();
        int[] colours = ColourIndices(list.Select(s => s.Name));
        var traces = list.Select((s, k) => CSharpChart.Histogram<double, double, string>(
            X: s.Values, Name: s.Name, Opacity: 0.6, NBinsX: bins, MarkerColor: Colour(colours[k]),
            HistNorm: density ? StyleParam.HistNorm.ProbabilityDensity : StyleParam.HistNorm.None));
        var chart = WithLayoutProperty(CSharpChart.Combine(traces), "barmode", "overlay");
        return Style(chart, title, new Axis(xTitle, false, xRange), new Axis(density ? "density" : "count", false, null));
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
    /// <param name="equalAxes">One unit on x is as long as one unit on y (default), so the panel keeps the aspect
    /// ratio of the x and y ranges and a round bowl looks round; false fills the panel.</param>
    /// <param name="zRange">Fixed colour range of z, e.g. shared by several panels; null fits z.</param>
    /// <param name="showScale">Draw the colour bar.</param>
    public static GenericChart Contour(double[] x, double[] y, double[,] z, IEnumerable<Series>? paths = null, string? title = null, string? xTitle = null, string? yTitle = null,
        bool equalAxes = true, (double Min, double Max)? zRange = null, bool showScale = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(z);
        if (z.GetLength(0) != y.Length || z.GetLength(1) != x.Length)
        {
            throw new ArgumentException($"z has shape ({z.GetLength(0)}, {z.GetLength(1)}) but (y.Length, x.Length) is ({y.Length}, {x.Length}).", nameof(z));
        }

        if (x.Length < 2 || y.Length < 2)
        {
            throw new ArgumentException($"A contour needs at least 2 grid points along each axis; x has {x.Length}, y has {y.Length}.");
        }

        var contour = CSharpChart.Contour<double, double, double, string>(Rows(z), X: x, Y: y, Name: "f", ShowScale: showScale,
            ColorScale: StyleParam.Colorscale.Viridis, Opacity: 0.85);
        if (zRange is { } zr)
        {
            SetColourRange(contour, zr, nameof(zRange));
        }

        var traces = new List<GenericChart> { contour };
        var pathList = (paths ?? []).Select(Check).ToList();
        int[] colours = ColourIndices(pathList.Select(p => p.Name), first: 1);
        for (int k = 0; k < pathList.Count; k++)
        {
            var p = pathList[k];
            traces.Add(CSharpChart.Line<double, double, string>(p.X, p.Y, Name: p.Name, ShowMarkers: true, LineColor: Colour(colours[k]), MarkerColor: Colour(colours[k])));
        }

        var chart = Style(CSharpChart.Combine(traces), title,
            new Axis(xTitle, false, (x.Min(), x.Max())), new Axis(yTitle, false, (y.Min(), y.Max())));
        return equalAxes ? EqualAxes(chart) : chart;
    }

    /// <summary>Contour of <paramref name="f"/> evaluated on the grid <paramref name="x"/> × <paramref name="y"/>, with trajectories on top.</summary>
    /// <param name="f">The function, called as f(x, y).</param>
    /// <param name="x">Grid x coordinates.</param>
    /// <param name="y">Grid y coordinates.</param>
    /// <param name="paths">Trajectories (may be empty).</param>
    /// <param name="title">Chart title.</param>
    /// <param name="equalAxes">Keep the aspect ratio of the x and y ranges (default); false fills the panel.</param>
    /// <param name="zRange">Fixed colour range of f; null fits the values.</param>
    public static GenericChart Contour(Func<double, double, double> f, double[] x, double[] y, IEnumerable<Series>? paths = null, string? title = null,
        bool equalAxes = true, (double Min, double Max)? zRange = null)
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

        return Contour(x, y, z, paths, title, "x", "y", equalAxes, zRange);
    }

    /// <summary>
    /// A heatmap with labelled rows and columns and each value written in its cell, e.g. a correlation matrix.
    /// The text is white on dark cells and black on light ones (<see cref="TextColourOn"/>).
    /// </summary>
    /// <param name="z">Values, shape (rows, cols); row 0 is drawn at the top. NaN and ±∞ (e.g. a diverged run)
    /// are written as such and left blank (no colour).</param>
    /// <param name="columnLabels">Labels along x, length cols.</param>
    /// <param name="rowLabels">Labels along y, length rows.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="format">Number format of the cell text (.NET format string).</param>
    /// <param name="zRange">Fixed colour range: give two heatmaps the same range (e.g. <see cref="RangeOf(double[][,])"/>
    /// of both) so equal colours mean equal values. Null fits the finite values of <paramref name="z"/>.</param>
    public static GenericChart Heatmap(double[,] z, string[] columnLabels, string[] rowLabels, string? title = null, string format = "G3",
        (double Min, double Max)? zRange = null)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(columnLabels);
        ArgumentNullException.ThrowIfNull(rowLabels);
        if (z.GetLength(0) != rowLabels.Length || z.GetLength(1) != columnLabels.Length)
        {
            throw new ArgumentException($"z has shape ({z.GetLength(0)}, {z.GetLength(1)}) but there are {rowLabels.Length} row and {columnLabels.Length} column labels.", nameof(z));
        }

        var range = zRange ?? RangeOf(z);
        var rows = Rows(z);
        var chart = CSharpChart.Heatmap<double, string, string, string>(rows, X: columnLabels, Y: rowLabels,
            ColorScale: StyleParam.Colorscale.Viridis, ReverseYAxis: true);
        SetColourRange(chart, range, nameof(zRange));

        // Each value as a text annotation, coloured for contrast with its cell (annotations, unlike the trace's
        // text, can have one colour each).
        var annotations = new List<DynamicObj.DynamicObj>();
        for (int i = 0; i < rows.Length; i++)
        {
            for (int j = 0; j < rows[i].Length; j++)
            {
                var font = new DynamicObj.DynamicObj();
                font.SetProperty("color", TextColourOn(rows[i][j], range));
                var note = new DynamicObj.DynamicObj();
                note.SetProperty("x", columnLabels[j]);
                note.SetProperty("y", rowLabels[i]);
                note.SetProperty("xref", "x");
                note.SetProperty("yref", "y");
                note.SetProperty("showarrow", false);
                note.SetProperty("text", rows[i][j].ToString(format, CultureInfo.InvariantCulture));
                note.SetProperty("font", font);
                annotations.Add(note);
            }
        }

        chart = WithLayoutProperty(chart, "annotations", annotations);
        return Style(chart, title, new Axis(null, false, null), new Axis(null, false, null));
    }

    /// <summary>
    /// Text colour that stays readable on a Viridis cell of value <paramref name="value"/> in the colour range
    /// <paramref name="range"/>: "white" on the dark (purple, blue) lower part, "black" on the light (green,
    /// yellow) upper part and on blank (non-finite) cells.
    /// </summary>
    public static string TextColourOn(double value, (double Min, double Max) range)
    {
        if (!double.IsFinite(value))
        {
            return "black";
        }

        double t = range.Max > range.Min ? (value - range.Min) / (range.Max - range.Min) : 0.5;

        // Viridis crosses a relative luminance of about 0.18 (where black and white text contrast equally) at t ≈ 0.55.
        return t < 0.55 ? "white" : "black";
    }

    /// <summary>The smallest and largest finite value of all <paramref name="grids"/>: one colour range for heatmaps that are compared.</summary>
    /// <exception cref="ArgumentException">No grid has a finite value.</exception>
    public static (double Min, double Max) RangeOf(params double[][,] grids)
    {
        ArgumentNullException.ThrowIfNull(grids);
        return Extent(grids.SelectMany(g => g.Cast<double>()), false)
            ?? throw new ArgumentException("The grids have no finite value to take a range from.", nameof(grids));
    }

    /// <summary>The smallest and largest finite Y of all series in all <paramref name="charts"/>: one y range for line charts that are compared.</summary>
    /// <param name="charts">The series of each chart.</param>
    /// <exception cref="ArgumentException">No series has a finite Y.</exception>
    public static (double Min, double Max) RangeOf(params IEnumerable<Series>[] charts)
    {
        ArgumentNullException.ThrowIfNull(charts);
        return Extent(charts.SelectMany(c => c.SelectMany(s => Check(s).Y)), false)
            ?? throw new ArgumentException("The series have no finite Y value to take a range from.", nameof(charts));
    }

    /// <summary>Charts side by side in a grid, filled row by row.</summary>
    /// <remarks>
    /// A series name that repeats an earlier panel's keeps that panel's colour and is listed once in the legend;
    /// a new name gets a colour no earlier panel uses, so "without BN" and "with BN" are told apart even when each
    /// panel was drawn with a single series. Plotly.NET's grid re-assigns the axes of the charts it is given, in
    /// place: build fresh charts for a grid rather than also showing the same chart objects on their own afterwards.
    /// Heatmaps (whose values are layout annotations) are not meant for a grid.
    /// </remarks>
    /// <param name="charts">The charts (each may have several traces).</param>
    /// <param name="columns">Charts per row.</param>
    /// <param name="titles">Optional title above each chart.</param>
    /// <param name="shareX">All panels show the same x range (zooming one zooms all).</param>
    /// <param name="shareY">All panels show the same y range, e.g. the panels with and without BN; fixed ranges given
    /// to the first panel apply to all.</param>
    public static GenericChart Grid(IEnumerable<GenericChart> charts, int columns = 2, IEnumerable<string>? titles = null, bool shareX = false, bool shareY = false)
    {
        ArgumentNullException.ThrowIfNull(charts);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        var list = charts.ToList();
        int rows = (list.Count + columns - 1) / columns;
        Recolour(list);

        var grid = titles is null
            ? CSharpChart.Grid(list, rows, columns)
            : CSharpChart.Grid(list, rows, columns, SubPlotTitles: titles.ToArray());
        int height = Math.Max(ChartHeight, GridRowHeight * rows);
        grid = MarkSeries(Frame(grid, height, hasTitle: false));
        var layout = GenericChart.getLayout(grid);
        for (int n = 1; n <= list.Count; n++)
        {
            string suffix = n == 1 ? "" : n.ToString(CultureInfo.InvariantCulture);
            if (layout.TryGetPropertyValue("yaxis" + suffix)?.Value is DynamicObj.DynamicObj yAxis
                && yAxis.TryGetPropertyValue("scaleanchor")?.Value is not null)
            {
                yAxis.SetProperty("scaleanchor", "x" + suffix);
            }

            if (n > 1 && shareX && layout.TryGetPropertyValue("xaxis" + suffix)?.Value is DynamicObj.DynamicObj xShared)
            {
                xShared.SetProperty("matches", "x");
            }

            if (n > 1 && shareY && layout.TryGetPropertyValue("yaxis" + suffix)?.Value is DynamicObj.DynamicObj yShared)
            {
                yShared.SetProperty("matches", "y");
            }
        }

        return grid;
    }

    /// <summary>
    /// Curves a reader changes with a slider, drawn by plotly.js itself from precomputed values (frames and a slider
    /// in the figure: no kernel, works offline in the handouts, VS Code and Jupyter), e.g. the running mean for each
    /// momentum, or the loss for each learning rate. The axes keep one range over all positions.
    /// </summary>
    /// <param name="name">What the slider sets, e.g. "momentum w" (shown with the current position's label).</param>
    /// <param name="steps">One position per value: its label and its curves, the same number in every step, in the
    /// same order (names included).</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">x-axis title.</param>
    /// <param name="yTitle">y-axis title.</param>
    /// <param name="logY">Logarithmic y axis.</param>
    /// <param name="yRange">Fixed y range; null takes the range of every step.</param>
    /// <param name="active">The position shown first.</param>
    public static GenericChart Slider(string name, IEnumerable<SliderStep> steps, string? title = null, string? xTitle = null, string? yTitle = null,
        bool logY = false, (double Min, double Max)? yRange = null, int active = 0)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var list = steps.ToList();
        ArgumentOutOfRangeException.ThrowIfLessThan(list.Count, 2, nameof(steps));
        ArgumentOutOfRangeException.ThrowIfNegative(active);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(active, list.Count);
        var all = list.SelectMany(s => s.Series.Select(Check)).ToList();
        var xRange = Extent(all.SelectMany(s => s.X), false);
        var yFit = yRange ?? Extent(all.SelectMany(s => s.Y), logY);
        if (yRange is null && yFit is { } fit && !logY)
        {
            double pad = (fit.Max - fit.Min) * 0.05 + 1e-12;
            yFit = (fit.Min - pad, fit.Max + pad);
        }

        var chart = Lines(list[active].Series, title, xTitle, yTitle, false, logY, xRange is { } xr && xr.Min < xr.Max ? xr : null, yFit);
        return WithSlider(chart, name, list, active);
    }

    /// <summary>
    /// Adds a slider to <paramref name="chart"/> whose positions redraw its last traces with each step's series (e.g.
    /// the optimizer paths over a contour chart,
    /// drawn from <c>steps[active]</c>). Every step has as many series as those traces.
    /// </summary>
    /// <param name="chart">The chart as drawn at position <paramref name="active"/>.</param>
    /// <param name="name">What the slider sets.</param>
    /// <param name="steps">One position per value: label and series.</param>
    /// <param name="active">The position shown first.</param>
    public static GenericChart WithSlider(GenericChart chart, string name, IEnumerable<SliderStep> steps, int active = 0)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(steps);
        var list = steps.ToList();
        int traceCount = GenericChart.getTraces(chart).Count();
        int n = list.Count == 0 ? 0 : list[0].Series.Count;
        if (list.Count < 2 || n == 0 || n > traceCount || list.Any(s => s.Series.Count != n))
        {
            throw new ArgumentException($"A slider needs at least 2 steps with the same number of series (1 to the chart's {traceCount} traces); got {list.Count} steps with {string.Join(", ", list.Select(s => s.Series.Count))} series.", nameof(steps));
        }

        var frames = new List<DynamicObj.DynamicObj>();
        var sliderSteps = new List<DynamicObj.DynamicObj>();
        foreach (var step in list)
        {
            var data = step.Series.Select(Check).Select(s =>
            {
                var trace = new DynamicObj.DynamicObj();
                trace.SetProperty("x", s.X);
                trace.SetProperty("y", s.Y);
                return trace;
            }).ToList();
            var frame = new DynamicObj.DynamicObj();
            frame.SetProperty("name", step.Label);
            frame.SetProperty("data", data);
            frame.SetProperty("traces", Enumerable.Range(traceCount - n, n).ToArray());
            frames.Add(frame);

            var immediate = new DynamicObj.DynamicObj();
            immediate.SetProperty("mode", "immediate");
            var frameOptions = new DynamicObj.DynamicObj();
            frameOptions.SetProperty("duration", 0);
            frameOptions.SetProperty("redraw", false);
            immediate.SetProperty("frame", frameOptions);
            var transition = new DynamicObj.DynamicObj();
            transition.SetProperty("duration", 0);
            immediate.SetProperty("transition", transition);
            var sliderStep = new DynamicObj.DynamicObj();
            sliderStep.SetProperty("label", step.Label);
            sliderStep.SetProperty("method", "animate");
            sliderStep.SetProperty("args", new object[] { new[] { step.Label }, immediate });
            sliderSteps.Add(sliderStep);
        }

        var layout = GenericChart.getLayout(chart);
        int height = layout.TryGetPropertyValue("height")?.Value is int h ? h : ChartHeight;
        var margin = layout.TryGetPropertyValue("margin")?.Value as DynamicObj.DynamicObj;
        int top = margin?.TryGetPropertyValue("t")?.Value is int t ? t : 60;
        const int Extra = 110;
        layout.SetProperty("height", height + Extra);
        margin?.SetProperty("b", 50 + Extra);
        double plotHeight = height - top - 50;

        var current = new DynamicObj.DynamicObj();
        current.SetProperty("prefix", name + " = ");
        current.SetProperty("visible", true);
        var pad = new DynamicObj.DynamicObj();
        pad.SetProperty("t", 10);
        var slider = new DynamicObj.DynamicObj();
        slider.SetProperty("name", name);
        slider.SetProperty("active", active);
        slider.SetProperty("steps", sliderSteps);
        slider.SetProperty("currentvalue", current);
        slider.SetProperty("pad", pad);
        slider.SetProperty("x", 0.0);
        slider.SetProperty("len", 1.0);
        slider.SetProperty("y", -100.0 / plotHeight);
        slider.SetProperty("yanchor", "top");
        layout.SetProperty("sliders", new[] { slider });
        layout.SetProperty(FramesProperty, frames);
        return chart;
    }

    /// <summary>Layout property that carries a slider's frames until <see cref="ChartHtml"/> moves them to the figure's
    /// <c>frames</c> (Plotly.NET 6 does not serialize frames).</summary>
    internal const string FramesProperty = "bnnFrames";

    /// <summary>Title, size, margins and a one-row legend under the plot area.</summary>
    private static GenericChart Frame(GenericChart chart, int height, bool hasTitle)
    {
        var layout = new Layout();
        layout.SetProperty("height", height);
        var margin = new DynamicObj.DynamicObj();
        margin.SetProperty("l", 60);
        margin.SetProperty("r", 20);
        margin.SetProperty("t", hasTitle ? 60 : 36);
        margin.SetProperty("b", 50);
        layout.SetProperty("margin", margin);

        // Below the x-axis title: about 62 px under the bottom of the plot area, in units of its height.
        double plotHeight = height - (hasTitle ? 60 : 36) - 50;
        var legend = new DynamicObj.DynamicObj();
        legend.SetProperty("orientation", "h");
        legend.SetProperty("x", 0.0);
        legend.SetProperty("xanchor", "left");
        legend.SetProperty("y", -62.0 / plotHeight);
        legend.SetProperty("yanchor", "top");
        legend.SetProperty("traceorder", "normal"); // in series order, also when a band's fill would reverse it
        layout.SetProperty("legend", legend);
        return GenericChart.addLayout(layout, chart);
    }

    /// <summary>One axis of a chart: title, log scale, a fixed range in data units, and the data (for log ticks).</summary>
    private sealed record Axis(string? Title, bool Log, (double Min, double Max)? Range, IEnumerable<double>? Data = null);

    private static GenericChart Style(GenericChart chart, string? title, Axis x, Axis y)
    {
        if (title is not null)
        {
            var text = new DynamicObj.DynamicObj();
            text.SetProperty("text", title);
            chart = WithLayoutProperty(chart, "title", text);
        }

        // Set an axis type only for log axes: forcing "linear" would break categorical axes (heatmap labels).
        chart = x.Log
            ? chart.WithXAxisStyle<double, double, string>(TitleText: x.Title ?? "", AxisType: StyleParam.AxisType.Log)
            : chart.WithXAxisStyle<double, double, string>(TitleText: x.Title ?? "");
        chart = y.Log
            ? chart.WithYAxisStyle<double, double, string>(TitleText: y.Title ?? "", AxisType: StyleParam.AxisType.Log)
            : chart.WithYAxisStyle<double, double, string>(TitleText: y.Title ?? "");
        chart = MarkSeries(Frame(chart, ChartHeight, title is not null));
        var layout = GenericChart.getLayout(chart);
        Configure(layout, "xaxis", x, nameof(x));
        Configure(layout, "yaxis", y, nameof(y));
        return chart;
    }

    /// <summary>Fixed range and, on a log axis, ticks at powers of ten only (no "2" and "5" between them).</summary>
    private static void Configure(Layout layout, string name, Axis spec, string which)
    {
        if (layout.TryGetPropertyValue(name)?.Value is not DynamicObj.DynamicObj axis)
        {
            return;
        }

        if (spec.Range is { } r)
        {
            if (!(double.IsFinite(r.Min) && double.IsFinite(r.Max) && r.Min < r.Max))
            {
                throw new ArgumentException($"The {which} range ({r.Min}, {r.Max}) must be finite with Min < Max.");
            }

            if (spec.Log && r.Min <= 0)
            {
                throw new ArgumentException($"The {which} axis is logarithmic, so its range ({r.Min}, {r.Max}) must be positive.");
            }

            axis.SetProperty("range", spec.Log ? new[] { Math.Log10(r.Min), Math.Log10(r.Max) } : new[] { r.Min, r.Max });
        }

        if (spec.Log && (spec.Range ?? Extent(spec.Data ?? [], true)) is { } span)
        {
            double decades = Math.Log10(span.Max / span.Min);
            if (decades >= 0.9)
            {
                axis.SetProperty("dtick", 1);
                axis.SetProperty("exponentformat", span.Min < 1e-3 || span.Max > 1e4 ? "power" : "none");
            }
        }
    }

    /// <summary>Smallest and largest finite value (positive only, for a log axis), or null when there is none.</summary>
    private static (double Min, double Max)? Extent(IEnumerable<double> values, bool positiveOnly)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in values)
        {
            if (double.IsFinite(v) && (!positiveOnly || v > 0))
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }

        return min <= max ? (min, max) : null;
    }

    private static (double Min, double Max) RangeOf(double[,] z) => Extent(z.Cast<double>(), false) ?? (0, 1);

    private static void SetColourRange(GenericChart chart, (double Min, double Max) range, string what)
    {
        if (!(double.IsFinite(range.Min) && double.IsFinite(range.Max) && range.Min <= range.Max))
        {
            throw new ArgumentException($"The colour range ({range.Min}, {range.Max}) must be finite with Min ≤ Max.", what);
        }

        foreach (var trace in GenericChart.getTraces(chart))
        {
            trace.SetProperty("zauto", false);
            trace.SetProperty("zmin", range.Min);
            trace.SetProperty("zmax", range.Max);
        }
    }

    /// <summary>One unit on y as long as one unit on x, shrinking the plot area rather than widening a range.</summary>
    private static GenericChart EqualAxes(GenericChart chart)
    {
        var layout = GenericChart.getLayout(chart);
        if (layout.TryGetPropertyValue("yaxis")?.Value is DynamicObj.DynamicObj yAxis)
        {
            yAxis.SetProperty("scaleanchor", "x");
            yAxis.SetProperty("scaleratio", 1.0);
            yAxis.SetProperty("constrain", "domain");
        }

        if (layout.TryGetPropertyValue("xaxis")?.Value is DynamicObj.DynamicObj xAxis)
        {
            xAxis.SetProperty("constrain", "domain");
        }

        return chart;
    }

    /// <summary>
    /// Gives every series name one colour across the panels of a grid: a repeated name takes its first colour and
    /// leaves the legend; a new name whose colour an earlier name already has gets the first unused palette colour.
    /// </summary>
    private static void Recolour(List<GenericChart> panels)
    {
        var colourOfName = new Dictionary<string, int>(StringComparer.Ordinal);
        var used = new HashSet<int>();
        foreach (var panel in panels)
        {
            var traces = GenericChart.getTraces(panel);
            var remap = new Dictionary<int, int>();
            foreach (var trace in traces.Where(InLegend))
            {
                string? name = trace.TryGetPropertyValue("name")?.Value as string;
                if (name is null || PaletteIndex(trace) is not int index || remap.ContainsKey(index))
                {
                    continue;
                }

                if (colourOfName.TryGetValue(name, out int earlier))
                {
                    remap[index] = earlier;
                    trace.SetProperty("showlegend", false);
                    continue;
                }

                // The next free colour after its own, so a panel's colours stay distinct from each other too.
                int target = used.Contains(index)
                    ? Enumerable.Range(1, Palette.Length - 1).Select(d => (index + d) % Palette.Length).FirstOrDefault(c => !used.Contains(c) && !remap.ContainsValue(c), index)
                    : index;
                remap[index] = target;
                colourOfName[name] = target;
            }

            foreach (int c in remap.Values)
            {
                used.Add(c);
            }

            foreach (var trace in traces)
            {
                foreach (var (owner, property) in ColourSlots(trace))
                {
                    if (ParseColour(owner.TryGetPropertyValue(property)?.Value) is { } colour && remap.TryGetValue(colour.Index, out int to) && to != colour.Index)
                    {
                        owner.SetProperty(property, Colour(to, colour.Alpha));
                    }
                }
            }
        }
    }

    /// <summary>
    /// When true, a series keeps one colour (and dash and marker) across all the charts of the kernel session: the
    /// concept of its name — the text before " (" or "," — gets a palette colour the first time it is drawn and keeps
    /// it in later charts (notebook 05: "PyTorch (w = 0.1)" and "PyTorch" are one blue, solid line in every chart), as
    /// long as no other series of the same chart already has that colour. <see cref="Notebook.Setup"/> turns it on;
    /// off, series are coloured in order of the palette.
    /// </summary>
    public static bool OneColourPerConcept { get; set; }

    /// <summary>True in a flow (e.g. <see cref="Notebook"/>'s background warm-up) whose charts must not claim concept colours.</summary>
    internal static readonly AsyncLocal<bool> WithoutConcepts = new();

    private static readonly Dictionary<string, int> ConceptColours = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Forgets the colours <see cref="OneColourPerConcept"/> has handed out (a new notebook starts afresh).</summary>
    public static void ResetConceptColours()
    {
        lock (ConceptColours)
        {
            ConceptColours.Clear();
        }
    }

    /// <summary>The palette index of each series of one chart; by order from <paramref name="first"/>, or by concept (<see cref="OneColourPerConcept"/>).</summary>
    private static int[] ColourIndices(IEnumerable<string> names, int first = 0)
    {
        var list = names.ToList();
        if (!OneColourPerConcept || WithoutConcepts.Value)
        {
            return [.. Enumerable.Range(first, list.Count)];
        }

        lock (ConceptColours)
        {
            var used = new HashSet<int>(Enumerable.Range(0, first));
            var result = new int[list.Count];
            for (int k = 0; k < list.Count; k++)
            {
                string concept = Concept(list[k]);
                bool known = ConceptColours.TryGetValue(concept, out int colour);
                if (!known || used.Contains(colour))
                {
                    var taken = ConceptColours.Values.ToHashSet();
                    colour = Enumerable.Range(0, Palette.Length).Where(c => !used.Contains(c)).OrderBy(c => taken.Contains(c) ? 1 : 0).FirstOrDefault(used.Count % Palette.Length);
                    if (!known)
                    {
                        ConceptColours[concept] = colour;
                    }
                }

                used.Add(colour);
                result[k] = colour;
            }

            return result;
        }
    }

    private static string Concept(string name)
    {
        int cut = name.IndexOfAny(['(', ',']);
        return (cut > 0 ? name[..cut] : name).Trim();
    }

    /// <summary>Line dash of each palette colour: colour is never the only thing telling two series apart.</summary>
    private static readonly string[] Dashes = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"];

    /// <summary>Marker symbol of each palette colour.</summary>
    private static readonly string[] Symbols = ["circle", "square", "diamond", "triangle-up", "cross", "x", "star", "triangle-down", "pentagon", "hexagon"];

    /// <summary>Fill pattern of each palette colour (histograms).</summary>
    private static readonly string[] Patterns = ["", "/", "\\", "x", "-", "|", "+", "."];

    /// <summary>Gives every series the dash, marker symbol or fill pattern of its palette colour.</summary>
    private static GenericChart MarkSeries(GenericChart chart)
    {
        foreach (var trace in GenericChart.getTraces(chart))
        {
            if (PaletteIndex(trace) is not int k)
            {
                continue;
            }

            bool histogram = trace.TryGetPropertyValue("type")?.Value?.ToString() == "histogram";
            if (trace.TryGetPropertyValue("line")?.Value is DynamicObj.DynamicObj line)
            {
                line.SetProperty("dash", Dashes[k % Dashes.Length]);
            }

            if (trace.TryGetPropertyValue("marker")?.Value is DynamicObj.DynamicObj marker)
            {
                if (histogram)
                {
                    var pattern = new DynamicObj.DynamicObj();
                    pattern.SetProperty("shape", Patterns[k % Patterns.Length]);
                    marker.SetProperty("pattern", pattern);
                }
                else
                {
                    marker.SetProperty("symbol", Symbols[k % Symbols.Length]);
                }
            }
        }

        return chart;
    }

    private static bool InLegend(Trace trace) =>
        trace.TryGetPropertyValue("showlegend")?.Value is not false
        && trace.TryGetPropertyValue("type")?.Value?.ToString() is not ("contour" or "heatmap");

    /// <summary>The palette index of a trace's line or marker colour, or null if it has none from the palette.</summary>
    private static int? PaletteIndex(Trace trace) =>
        ColourSlots(trace).Select(s => ParseColour(s.Owner.TryGetPropertyValue(s.Property)?.Value)).FirstOrDefault(c => c is not null)?.Index;

    /// <summary>Where a trace keeps colours: line.color, marker.color and fillcolor.</summary>
    private static IEnumerable<(DynamicObj.DynamicObj Owner, string Property)> ColourSlots(Trace trace)
    {
        foreach (string part in new[] { "line", "marker" })
        {
            if (trace.TryGetPropertyValue(part)?.Value is DynamicObj.DynamicObj obj)
            {
                yield return (obj, "color");
            }
        }

        yield return (trace, "fillcolor");
    }

    private static (int Index, double Alpha)? ParseColour(object? value)
    {
        string? text = value is Color c ? c.Value?.ToString() : value as string;
        if (text is null || RgbaPattern().Match(text) is not { Success: true } m)
        {
            return null;
        }

        var rgb = (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
        int index = Array.IndexOf(Palette, rgb);
        return index < 0 ? null : (index, double.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^rgba\((\d+),(\d+),(\d+),([0-9.eE+-]+)\)$")]
    private static partial Regex RgbaPattern();

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
