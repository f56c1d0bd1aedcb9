using System.Text.RegularExpressions;

namespace BatchNormNotebooks.Handouts;

/// <summary>
/// KaTeX from lib/npm/node_modules/katex (pinned by lib/npm/package-lock.json, fetched by <c>npm ci</c>, never
/// committed), made self-contained: the CSS with its woff2 fonts inlined as data: URIs, and the JS.
/// </summary>
public sealed partial class KatexAssets(string css, string script)
{
    /// <summary>katex.min.css with every font as a data: URI.</summary>
    public string Css { get; } = css;

    /// <summary>katex.min.js.</summary>
    public string Script { get; } = script;

    /// <summary>Loads the assets from <c>lib/npm/node_modules/katex/dist</c> under <paramref name="repoRoot"/>.</summary>
    public static KatexAssets Load(string repoRoot)
    {
        string dist = Path.Combine(repoRoot, "lib/npm/node_modules/katex/dist");
        if (!File.Exists(Path.Combine(dist, "katex.min.js")))
        {
            throw new FileNotFoundException($"KaTeX is missing in {dist}: run `npm ci --prefix lib/npm`.");
        }

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
