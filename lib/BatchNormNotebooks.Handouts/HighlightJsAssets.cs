namespace BatchNormNotebooks.Handouts;

/// <summary>
/// highlight.js from the npm package <c>@highlightjs/cdn-assets</c> (pinned by lib/npm/package-lock.json, fetched by
/// <see cref="NpmAssets"/>, never committed): the browser bundle (C# is among its common languages) and the a11y-light
/// theme (every colour at least 4.5:1 on its background, WCAG 2.1 AA), inlined into every handout, which highlights each <c>code.language-csharp</c> block when it opens.
/// </summary>
/// <param name="Css">styles/a11y-light.min.css.</param>
/// <param name="Script">highlight.min.js (defines <c>hljs</c>).</param>
public sealed record HighlightJsAssets(string Css, string Script)
{
    private const string Package = "@highlightjs/cdn-assets";

    /// <summary>The script that highlights every code cell of the page (run after the body is parsed).</summary>
    public const string HighlightAll = "document.querySelectorAll('pre.code code.language-csharp').forEach(function (el) { hljs.highlightElement(el); });";

    /// <summary>The theme paints its own white box; inside the page's <c>pre.code</c> box the code keeps that box's look.</summary>
    private const string CodeBlockCss = "\npre.code code.hljs { background: transparent; padding: 0; overflow: visible; }";

    /// <summary>Loads the assets from the npm folder of the repository at <paramref name="repoRoot"/> (running
    /// <c>npm ci</c> first if needed).</summary>
    public static HighlightJsAssets Load(string repoRoot) =>
        new(File.ReadAllText(NpmAssets.Path(Package, "styles/a11y-light.min.css", repoRoot)) + CodeBlockCss,
            File.ReadAllText(NpmAssets.Path(Package, "highlight.min.js", repoRoot)));
}
