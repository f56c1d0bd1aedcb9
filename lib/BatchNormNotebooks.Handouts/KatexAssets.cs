using System.Text.RegularExpressions;

namespace BatchNormNotebooks.Handouts;

/// <summary>
/// KaTeX from the npm package <c>katex</c> (pinned by lib/npm/package-lock.json, fetched by <see cref="NpmAssets"/>,
/// never committed), made self-contained: the CSS with its woff2 fonts inlined as data: URIs, and the JS.
/// </summary>
public sealed partial class KatexAssets(string css, string script)
{
    /// <summary>katex.min.css with every font as a data: URI.</summary>
    public string Css { get; } = css;

    /// <summary>katex.min.js.</summary>
    public string Script { get; } = script;

    /// <summary>Loads the assets from <c>katex/dist</c> in the npm folder of the repository at
    /// <paramref name="repoRoot"/> (running <c>npm ci</c> first if needed).</summary>
    public static KatexAssets Load(string repoRoot)
    {
        string dist = NpmAssets.Path("katex", "dist", repoRoot);
        string css = File.ReadAllText(Path.Combine(dist, "katex.min.css"));
        // Each @font-face lists woff2, woff and ttf; keep only woff2 (every current browser reads it), inlined.
        css = FontSource().Replace(css, m =>
        {
            byte[] font = File.ReadAllBytes(Path.Combine(dist, "fonts", m.Groups["file"].Value + ".woff2"));
            return $"src:url(data:font/woff2;base64,{Convert.ToBase64String(font)}) format(\"woff2\")";
        });
        return new KatexAssets(css, File.ReadAllText(Path.Combine(dist, "katex.min.js")));
    }

    [GeneratedRegex("""src:url\(fonts/(?<file>[A-Za-z0-9_-]+)\.woff2\) format\("woff2"\)[^;}]*""")]
    private static partial Regex FontSource();
}
