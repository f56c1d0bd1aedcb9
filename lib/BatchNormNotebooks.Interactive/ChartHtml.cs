using System.Net;
using Plotly.NET;

namespace BatchNormNotebooks.Interactive;

/// <summary>Turns a Plotly.NET chart into an HTML fragment that draws without the internet.</summary>
/// <remarks>
/// Plotly.NET.Interactive's own formatter loads plotly.js through requirejs from a CDN, so a saved notebook
/// or handout shows nothing offline. Here a chart is a <c>div</c> plus a script that waits for
/// <c>window.Plotly</c>, which <see cref="Notebook.Setup"/> puts on the page once (<see cref="PlotlyJs"/>).
/// The chart takes the width of its container (the handout's text column): Plotly.NET's fixed layout width
/// is dropped, the height is kept. Every chart sits in a <c>figure</c> whose caption names and describes it from its
/// data and whose collapsed <c>details</c> holds the plotted series as tables (<see cref="ChartText"/>): the text
/// alternative a screen reader, a grey printout or a phone needs.
/// </remarks>
public static class ChartHtml
{
    /// <summary>CSS class of every chart's <c>div</c>; the handout tests look for it.</summary>
    public const string CssClass = "bnn-chart";

    /// <summary>CSS class of the <c>figure</c> around every chart: accessible name, generated description
    /// (<see cref="ChartText"/>) and the data disclosure.</summary>
    public const string FigureClass = "bnn-figure";

    /// <summary>CSS class of the collapsed <c>details</c> with the plotted series as tables.</summary>
    public const string DataClass = "bnn-chart-data";

    /// <summary>CSS class of the range input that moves a chart's slider from the keyboard.</summary>
    public const string SliderClass = "bnn-slider";

    private static int counter;

    /// <summary>
    /// The figure JSON with a slider's frames moved from the layout (where <see cref="Charts.WithSlider"/> keeps them) to
    /// the figure's <c>frames</c>; <paramref name="slider"/> (ids from <paramref name="id"/>) is the labelled range input for it, or "" without a slider.
    /// </summary>
    private static string WithFrames(string json, string id, out string slider)
    {
        slider = "";
        if (!json.Contains(Charts.FramesProperty, StringComparison.Ordinal))
        {
            return json;
        }

        var root = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        var layout = root["layout"]!.AsObject();
        var frames = layout[Charts.FramesProperty];
        layout.Remove(Charts.FramesProperty);
        root["frames"] = frames;
        var first = layout["sliders"]![0]!;
        string name = first["name"]!.GetValue<string>();
        int active = first["active"]!.GetValue<int>();
        var labels = first["steps"]!.AsArray().Select(s => s!["label"]!.GetValue<string>()).ToList();
        slider = $"<label class=\"{SliderClass}\" style=\"display:block;font-size:90%;margin:.2rem 0\">{WebUtility.HtmlEncode(name)} (keyboard): " +
            $"<input type=\"range\" id=\"{id}-slider\" min=\"0\" max=\"{labels.Count - 1}\" step=\"1\" value=\"{active}\" aria-valuetext=\"{WebUtility.HtmlEncode(labels[active])}\"> " +
            $"<output id=\"{id}-slider-value\">{WebUtility.HtmlEncode(labels[active])}</output></label>";
        return root.ToJsonString();
    }

    /// <summary>The fragment for <paramref name="chart"/>: <c>&lt;div class="bnn-chart"&gt;</c> and a drawing script.</summary>
    public static string Render(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        string id = $"bnn-chart-{Environment.ProcessId}-{Interlocked.Increment(ref counter)}-{Guid.NewGuid():N}";
        string json = WithFrames(GenericChart.toFigureJson(chart), id, out string slider);
        string figure = json.Replace("</", "<\\/", StringComparison.Ordinal);
        var (name, description, data) = ChartText.Of(json);
        return $$"""
            <figure class="{{FigureClass}}" aria-labelledby="{{id}}-name" aria-describedby="{{id}}-description" style="margin:0">
            <div id="{{id}}" class="{{CssClass}}" style="width:100%;min-height:420px"></div>
            {{slider}}
            <figcaption style="font-size:85%;color:#555"><span id="{{id}}-name" style="font-weight:600">{{WebUtility.HtmlEncode(name)}}.</span> <span id="{{id}}-description">{{WebUtility.HtmlEncode(description)}}</span></figcaption>
            <details class="{{DataClass}}" style="font-size:85%"><summary>Data: the plotted values as tables</summary>{{data}}</details>
            </figure>
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
                  window.Plotly.newPlot(element, { data: figure.data, layout: figure.layout, frames: figure.frames || [], config: config })
                    .then(function () { connectSlider(); });
                } else if (tries++ < 300) {
                  setTimeout(draw, 50);
                } else {
                  element.textContent = 'plotly.js is not loaded: run the setup cell (Notebook.Setup()) first.';
                }
              }
              // The keyboard's way to the plotly slider: a labelled range input, kept in step with it both ways.
              function connectSlider() {
                var input = document.getElementById('{{id}}-slider');
                if (!input || !figure.layout.sliders) { return; }
                var steps = figure.layout.sliders[0].steps;
                var shown = document.getElementById('{{id}}-slider-value');
                function show(i) { input.value = i; input.setAttribute('aria-valuetext', steps[i].label); shown.textContent = steps[i].label; }
                input.addEventListener('input', function () {
                  var i = +input.value;
                  show(i);
                  window.Plotly.animate(element, [steps[i].args[0][0]], steps[i].args[1]);
                  window.Plotly.relayout(element, { 'sliders[0].active': i });
                });
                element.on('plotly_sliderchange', function (e) {
                  var i = steps.findIndex(function (s) { return s.label === e.step.label; });
                  if (i >= 0) { show(i); }
                });
              }
              draw();
            })();
            </script>
            """;
    }
}
