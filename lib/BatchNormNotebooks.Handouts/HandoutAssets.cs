using BatchNormNotebooks.Interactive;

namespace BatchNormNotebooks.Handouts;

/// <summary>Everything a handout page inlines, loaded once per build.</summary>
/// <param name="Katex">KaTeX CSS (fonts inlined) and JS.</param>
/// <param name="Highlight">highlight.js and its theme.</param>
/// <param name="PlotlyJs">plotly.js as Plotly.NET embeds it (<see cref="Interactive.PlotlyJs.Text"/>, the one source of its version).</param>
public sealed record HandoutAssets(KatexAssets Katex, HighlightJsAssets Highlight, string PlotlyJs)
{
    /// <summary>Loads the npm assets of the repository at <paramref name="repoRoot"/> (running <c>npm ci</c> first if
    /// needed) and plotly.js.</summary>
    public static HandoutAssets Load(string repoRoot) =>
        new(KatexAssets.Load(repoRoot), HighlightJsAssets.Load(repoRoot), Interactive.PlotlyJs.Text);
}
