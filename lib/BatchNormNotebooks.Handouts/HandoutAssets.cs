using System.Reflection;
using System.Runtime.Loader;

namespace BatchNormNotebooks.Handouts;

/// <summary>Everything a handout page inlines: KaTeX and plotly.js, loaded once per build.</summary>
/// <param name="Katex">KaTeX CSS (fonts inlined) and JS.</param>
/// <param name="PlotlyJs">plotly.js, taken from the Plotly.NET.dll next to the notebook library.</param>
public sealed record HandoutAssets(KatexAssets Katex, string PlotlyJs)
{
    private const string PlotlyResource = "Plotly.NET.plotly-2.28.0.min.js";

    /// <summary>Loads the assets from the npm folder and the built notebook library under <paramref name="repoRoot"/>.</summary>
    public static HandoutAssets Load(string repoRoot)
    {
        string dll = Path.Combine(repoRoot, Path.GetDirectoryName(Prerequisites.InteractiveDll)!, "Plotly.NET.dll");
        var context = new AssemblyLoadContext("plotly-resource", isCollectible: true);
        try
        {
            Assembly plotly = context.LoadFromAssemblyPath(dll);
            using var stream = plotly.GetManifestResourceStream(PlotlyResource)
                ?? throw new InvalidOperationException($"{dll} has no resource {PlotlyResource}.");
            using var reader = new StreamReader(stream);
            return new HandoutAssets(KatexAssets.Load(repoRoot), reader.ReadToEnd());
        }
        finally
        {
            context.Unload();
        }
    }
}
