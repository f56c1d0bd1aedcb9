using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Renderers.Html.Inlines;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace BatchNormNotebooks.Handouts;

/// <summary>
/// Renders an executed notebook as one self-contained HTML page that works with the network off: Markdig
/// markdown, KaTeX math, highlighted C#, every output kind, plotly.js inlined once, a table of contents, and
/// print CSS for Chromium's print-to-PDF.
/// </summary>
public static partial class HtmlHandout
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    /// <summary>The page for <paramref name="notebook"/>.</summary>
    public static string Render(ExecutedNotebook notebook, HandoutAssets assets)
    {
        var body = new StringBuilder();
        var toc = new StringBuilder();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        int executed = 0;
        foreach (var cell in notebook.Cells)
        {
            if (!cell.IsCode)
            {
                body.Append("<section class=\"markdown\">").Append(Markdown(cell.Source, toc, ids)).Append("</section>\n");
                continue;
            }

            executed++;
            body.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"<section class=\"cell\" id=\"cell-{cell.Number}\"><div class=\"prompt\">[{executed}]</div><pre class=\"code\"><code class=\"language-csharp\">{WebUtility.HtmlEncode(cell.Source.TrimEnd())}</code></pre>\n");
            foreach (var output in cell.Outputs)
            {
                body.Append(Output(output)).Append('\n');
            }

            body.Append("</section>\n");
        }

        string title = WebUtility.HtmlEncode(notebook.Title);
        return $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{title}}</title>
            <style>{{assets.Katex.Css}}</style>
            <style>{{assets.Highlight.Css}}</style>
            <style>{{Css}}</style>
            <script>{{assets.Katex.Script}}</script>
            <script>{{assets.Highlight.Script}}</script>
            <script>{{assets.PlotlyJs.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)}}</script>
            </head>
            <body>
            <nav class="toc" aria-label="Contents"><a class="home" href="index.html">All handouts</a><p class="toc-title">Contents</p><ul>{{toc}}</ul></nav>
            <main>
            {{body}}
            </main>
            <script>{{MathScript}}</script>
            <script>{{HighlightJsAssets.HighlightAll}}</script>
            <script>{{ScrollableScript}}</script>
            </body>
            </html>
            """;
    }

    /// <summary>
    /// Markdown to HTML; level 1–3 headings are added to <paramref name="toc"/> with their math and formatting,
    /// under ids unique on the page (<paramref name="ids"/> holds those taken by earlier cells). A blockquote that
    /// opens with <c>**What to remember**</c> becomes a "What to remember" heading followed by the quote.
    /// </summary>
    internal static string Markdown(string source, StringBuilder toc, HashSet<string> ids)
    {
        source = RememberQuote().Replace(source, "## What to remember\n\n");
        var document = Markdig.Markdown.Parse(DisplayMathOnOwnLine().Replace(source, "\n$$$$\n$1\n$$$$\n"), Pipeline);
        foreach (var heading in document.Descendants<HeadingBlock>())
        {
            var attributes = heading.GetAttributes();
            if (attributes.Id is { } id)
            {
                string unique = id;
                for (int n = 2; !ids.Add(unique); n++)
                {
                    unique = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{id}-{n}");
                }

                attributes.Id = unique;
            }
        }

        foreach (var heading in document.Descendants<HeadingBlock>())
        {
            if (heading.Level <= 3 && heading.GetAttributes().Id is { } id)
            {
                toc.Append(System.Globalization.CultureInfo.InvariantCulture,
                    $"<li class=\"l{heading.Level}\"><a href=\"#{id}\">{TocEntry(heading)}</a></li>");
            }
        }

        return document.ToHtml(Pipeline);
    }

    /// <summary>A heading's content as HTML for its table-of-contents entry: math and formatting as in the heading,
    /// links reduced to their text (the entry is a link itself).</summary>
    private static string TocEntry(HeadingBlock heading)
    {
        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.ObjectRenderers.RemoveAll(r => r is LinkInlineRenderer or AutolinkInlineRenderer);
        renderer.ObjectRenderers.Insert(0, new LinkTextRenderer());
        renderer.ObjectRenderers.Insert(0, new AutolinkTextRenderer());
        renderer.WriteLeafInline(heading);
        writer.Flush();
        return writer.ToString();
    }

    /// <summary>Writes a link's text without the link.</summary>
    private sealed class LinkTextRenderer : HtmlObjectRenderer<LinkInline>
    {
        protected override void Write(HtmlRenderer renderer, LinkInline obj) => renderer.WriteChildren(obj);
    }

    /// <summary>Writes an autolink's address as text without the link.</summary>
    private sealed class AutolinkTextRenderer : HtmlObjectRenderer<AutolinkInline>
    {
        protected override void Write(HtmlRenderer renderer, AutolinkInline obj) => renderer.WriteEscape(obj.Url);
    }

    /// <summary>The notebooks' blockquote form of the summary: a quote line <c>**What to remember**</c> and the empty quote line after it.</summary>
    [GeneratedRegex(@"^>[ \t]*\*\*What to remember\*\*[ \t]*\r?\n(?:>[ \t]*\r?\n)?", RegexOptions.Multiline)]
    private static partial Regex RememberQuote();

    private static string Output(CellOutput output)
    {
        string Pre(string cls) => $"<pre class=\"output {cls}\">{WebUtility.HtmlEncode(output.Value.TrimEnd())}</pre>";
        return output.Kind switch
        {
            OutputKind.Error => Pre("error"),
            OutputKind.StandardError => Pre("stderr"),
            OutputKind.StandardOutput => Pre("stdout"),
            _ when output.MimeType == "text/html" => $"<div class=\"output html\">{WithoutPlotlyScript(output.Value)}</div>",
            _ => Pre("text"),
        };
    }

    /// <summary>A line that is only <c>$$…$$</c>: display math as VS Code and Jupyter show it, but Markdig would read it
    /// as inline math, so it is rewritten into a fenced <c>$$</c> block first.</summary>
    [GeneratedRegex(@"^[ \t]*\$\$(?!\$)(.+?)\$\$[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex DisplayMathOnOwnLine();

    /// <summary><paramref name="html"/> without the plotly.js copy that the setup cell's output carries
    /// (<see cref="Interactive.PlotlyJs.ScriptElement"/>); the page has its own in the head.</summary>
    private static string WithoutPlotlyScript(string html)
    {
        int start = html.IndexOf(Interactive.PlotlyJs.ScriptStart, StringComparison.Ordinal);
        int end = start < 0 ? -1 : html.IndexOf("</script>", start, StringComparison.Ordinal);
        return end < 0 ? html : html.Remove(start, end + "</script>".Length - start);
    }

    private const string MathScript = """
        document.querySelectorAll('.math').forEach(function (el) {
          var source = el.textContent.trim();
          var display = el.tagName === 'DIV' || source.startsWith('\\[');
          var tex = source.replace(/^\\[\(\[]/, '').replace(/\\[\)\]]$/, '');
          katex.render(tex, el, { displayMode: display, throwOnError: false });
        });
        // Display math wider than the text column is scaled down to fit (to 55 % at most; beyond that it scrolls on
        // screen), again for the print width when printing.
        function fitMath() {
          document.querySelectorAll('.katex-display').forEach(function (el) {
            el.style.fontSize = '';
            var over = el.scrollWidth / el.clientWidth;
            if (over > 1.001) { el.style.fontSize = Math.max(55, Math.floor(100 / over)) + '%'; }
          });
        }
        fitMath();
        window.addEventListener('resize', fitMath);
        window.addEventListener('beforeprint', fitMath);
        window.addEventListener('afterprint', fitMath);
        """;

    /// <summary>
    /// Every region that scrolls (a wide table, a long output line, a formula wider than the column) becomes a
    /// named, focusable region, so a keyboard can reach and scroll it (WCAG 2.1.1); regions that fit are left alone,
    /// so they add no tab stops. Run again when the width changes.
    /// </summary>
    private const string ScrollableScript = """
        function markScrollable() {
          document.querySelectorAll('main pre, main div.output.html, main .katex-display').forEach(function (el) {
            if (el.hasAttribute('tabindex')) { return; }
            var style = getComputedStyle(el);
            var scrollsX = el.scrollWidth > el.clientWidth + 1 && /auto|scroll/.test(style.overflowX);
            var scrollsY = el.scrollHeight > el.clientHeight + 1 && /auto|scroll/.test(style.overflowY);
            if (!scrollsX && !scrollsY) { return; }
            var cell = el.closest('.cell');
            var prompt = cell && cell.querySelector('.prompt');
            var where = prompt ? ' of cell ' + prompt.textContent.replace(/[\[\]]/g, '') : '';
            var what = el.classList.contains('katex-display') ? 'Formula' : el.classList.contains('code') ? 'Code' : 'Output';
            el.setAttribute('tabindex', '0');
            el.setAttribute('role', 'region');
            el.setAttribute('aria-label', what + where + ' (scrolls)');
          });
        }
        markScrollable();
        window.addEventListener('load', markScrollable);
        window.addEventListener('resize', markScrollable);
        """;

    private const string Css = """
        :root { --fg: #1d1d1f; --muted: #6b6b70; --code-bg: #fefefe; --border: #e1e4e8; --accent: #0b62b0; }
        html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); line-height: 1.55; }
        body { margin: 0; display: flex; }
        nav.toc { position: sticky; top: 0; align-self: flex-start; width: 16rem; max-height: 100vh; overflow: auto;
                  padding: 1.5rem 1rem; box-sizing: border-box; font-size: 0.9rem; border-right: 1px solid var(--border); }
        nav.toc .toc-title { font-size: 0.8rem; font-weight: 700; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
        :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
        nav.toc ul { list-style: none; padding: 0; margin: 0; }
        nav.toc li { margin: .25rem 0; } nav.toc li.l2 { padding-left: .8rem; } nav.toc li.l3 { padding-left: 1.6rem; }
        nav.toc a { color: var(--accent); text-decoration: none; }
        main { max-width: 52rem; padding: 1.5rem 2.5rem 4rem; box-sizing: border-box; flex: 1; min-width: 0; }
        h1 { font-size: 2rem; margin-top: .5rem; } h2 { margin-top: 2rem; border-bottom: 1px solid var(--border); padding-bottom: .2rem; }
        .cell { position: relative; margin: 1rem 0 1.5rem; }
        .prompt { position: absolute; left: -2.3rem; top: .5rem; font: 0.75rem ui-monospace, monospace; color: var(--muted); }
        pre { font: 0.85rem/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; overflow-x: auto; margin: 0; }
        pre.code { background: var(--code-bg); border: 1px solid var(--border); border-radius: 6px; padding: .7rem .9rem;
                   white-space: pre-wrap; overflow-wrap: anywhere; }
        .output { margin-top: .4rem; }
        pre.output { padding: .4rem .9rem; border-left: 3px solid var(--border); white-space: pre-wrap; }
        pre.output.error { background: #fff0f0; border-left-color: #d73a49; color: #86181d; }
        pre.output.stderr { background: #fffbe6; border-left-color: #e3b341; }
        div.output.html { overflow-x: auto; }
        .bnn-chart { min-height: 420px; }
        blockquote { margin: .8rem 0; padding: .1rem 1rem; border-left: 4px solid var(--accent); background: #f5f9fd; }
        .katex-display { overflow-x: auto; overflow-y: hidden; padding: .3rem 0; max-width: 100%; }
        nav.toc .katex { font-size: 1em; }
        table { border-collapse: collapse; margin: .8rem 0; font-variant-numeric: tabular-nums; }
        td, th { border-bottom: 1px solid var(--border); padding: .25rem .9rem; text-align: left; }
        th { border-bottom: 2px solid var(--muted); } tbody tr:nth-child(even) { background: #fafbfc; }
        .bnn-matrix table td, .bnn-matrix table th { border-bottom: 0; }
        @media (max-width: 900px) { body { display: block; } nav.toc { position: static; width: auto; max-height: none; border-right: 0; } }
        @media print {
          @page { margin: 16mm 14mm; }
          body { display: block; }
          nav.toc { position: static; width: auto; max-height: none; border: 0; padding: 0 0 1rem; page-break-after: always; }
          nav.toc a.home { display: none; }
          main { max-width: none; padding: 0; }
          .prompt { display: none; }
          pre { white-space: pre-wrap; word-break: break-word; }
          pre.code, .output, .katex-display, table, .bnn-chart, figure.bnn-figure { break-inside: avoid; }
          details.bnn-chart-data { display: none; }
          h1, h2, h3 { break-after: avoid; }
          a { color: inherit; text-decoration: none; }
          .modebar-container { display: none !important; }
        }
        """;
}
