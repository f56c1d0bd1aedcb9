using Plotly.NET;

namespace BatchNormNotebooks.Interactive;

/// <summary>Turns a Plotly.NET chart into an HTML fragment that draws without the internet.</summary>
/// <remarks>
/// Plotly.NET.Interactive's own formatter loads plotly.js through requirejs from a CDN, so a saved notebook
/// or handout shows nothing offline. Here a chart is a <c>div</c> plus a script that waits for
/// <c>window.Plotly</c>, which <see cref="Notebook.Setup"/> puts on the page once (<see cref="PlotlyJs"/>).
/// The chart takes the width of its container (the handout's text column): Plotly.NET's fixed layout width
/// is dropped, the height is kept.
/// </remarks>
public static class ChartHtml
{
    /// <summary>CSS class of every chart's <c>div</c>; the handout tests look for it.</summary>
    public const string CssClass = "bnn-chart";

    private static int counter;

    /// <summary>The fragment for <paramref name="chart"/>: <c>&lt;div class="bnn-chart"&gt;</c> and a drawing script.</summary>
    public static string Render(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        string id = $"bnn-chart-{Environment.ProcessId}-{Interlocked.Increment(ref counter)}-{Guid.NewGuid():N}";
        string figure = GenericChart.toFigureJson(chart).Replace("</", "<\\/", StringComparison.Ordinal);
        return $$"""
            <div id="{{id}}" class="{{CssClass}}" style="width:100%;min-height:420px"></div>
            <script type="text/javascript">
            (function () {
              var figure = {{figure}};
              var element = document.getElementById('{{id}}');
              var tries = 0;
              delete figure.layout.width;
              figure.layout.autosize = true;
              function draw() {
                if (window.Plotly) {
                  var config = Object.assign({ responsive: true, displaylogo: false }, figure.config || {});
                  window.Plotly.newPlot(element, figure.data, figure.layout, config);
                } else if (tries++ < 300) {
                  setTimeout(draw, 50);
                } else {
                  element.textContent = 'plotly.js is not loaded: run the setup cell (Notebook.Setup()) first.';
                }
              }
              draw();
            })();
            </script>
            """;
    }
}
