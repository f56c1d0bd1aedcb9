using Microsoft.Playwright;

namespace BatchNormNotebooks.Handouts;

/// <summary>
/// The builder's <c>--pdf</c>: every handout printed to A4 PDF by the headless browser the tests use
/// (<see cref="BrowserFinder"/>), with the network off, after its charts are drawn at the print width. The page's print
/// CSS (<see cref="HtmlHandout"/>) keeps charts, code blocks, tables and display formulas whole; the table of contents
/// and in-page links survive as PDF links, the headings as the PDF outline.
/// </summary>
public static class HandoutPdf
{
    /// <summary>Width of A4 (210 mm) less the 14 mm side margins, in CSS pixels (96 per inch): the charts are drawn at it.</summary>
    public const int PrintWidth = 688;

    /// <summary>
    /// Prints the lecturer's handouts (<c>DIR/lecturer/NN-name.html</c>) to <c>DIR/pdf/NN-name.pdf</c> and the students'
    /// (<c>DIR/students/NN-name.html</c>) to <c>DIR/pdf/students/NN-name.pdf</c>; returns the files written.
    /// </summary>
    /// <exception cref="InvalidOperationException">No browser was found (the message says what to install).</exception>
    public static async Task<IReadOnlyList<string>> PrintAllAsync(string outDir, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var jobs = new List<(string Html, string Pdf)>();
        foreach (var (folder, target) in new[] { (Path.Combine(outDir, "lecturer"), Path.Combine(outDir, "pdf")), (Path.Combine(outDir, "students"), Path.Combine(outDir, "pdf", "students")) })
        {
            if (!Directory.Exists(folder))
            {
                continue;
            }

            jobs.AddRange(Directory.EnumerateFiles(folder, "*.html")
                .Where(f => Path.GetFileName(f) != "index.html")
                .Order(StringComparer.Ordinal)
                .Select(f => (f, Path.Combine(target, Path.GetFileNameWithoutExtension(f) + ".pdf"))));
        }

        using var playwright = await Playwright.CreateAsync();
        var (description, options) = await BrowserFinder.FindAsync(playwright, log);
        if (options is null)
        {
            throw new InvalidOperationException(description);
        }

        log($"» printing {jobs.Count} handout(s) to PDF with {description}");
        await using var browser = await playwright.Chromium.LaunchAsync(options);
        foreach (var (html, pdf) in jobs)
        {
            await PrintAsync(browser, html, pdf);
            log($"  → {Path.GetRelativePath(outDir, pdf)}");
        }

        return [.. jobs.Select(j => j.Pdf)];
    }

    /// <summary>Prints the handout <paramref name="html"/> to <paramref name="pdf"/> (A4, page numbers in the footer).</summary>
    public static async Task PrintAsync(IBrowser browser, string html, string pdf)
    {
        ArgumentNullException.ThrowIfNull(browser);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = PrintWidth, Height = 1000 } });
        try
        {
            await page.RouteAsync("**/*", route => route.Request.Url.StartsWith("file:", StringComparison.Ordinal) ? route.ContinueAsync() : route.AbortAsync());
            await page.EmulateMediaAsync(new() { Media = Media.Print });
            await page.GotoAsync(new Uri(Path.GetFullPath(html)).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load, Timeout = 120_000 });
            await page.WaitForFunctionAsync(
                "() => [...document.querySelectorAll('.bnn-chart')].every(d => d.querySelector('svg.main-svg'))", null, new() { Timeout = 60_000 });
            await page.EvaluateAsync("""
                async () => {
                  await document.fonts.ready;
                  window.dispatchEvent(new Event('beforeprint'));
                  for (const chart of document.querySelectorAll('.bnn-chart')) { await Plotly.Plots.resize(chart); }
                }
                """);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(pdf))!);
            await page.PdfAsync(new()
            {
                Path = pdf,
                Format = "A4",
                PrintBackground = true,
                Margin = new() { Top = "16mm", Bottom = "16mm", Left = "14mm", Right = "14mm" },
                DisplayHeaderFooter = true,
                HeaderTemplate = "<span></span>",
                FooterTemplate = "<div style=\"font: 8px system-ui, sans-serif; color: #444; width: 100%; text-align: center\"><span class=\"title\"></span> · <span class=\"pageNumber\"></span> / <span class=\"totalPages\"></span></div>",
                Outline = true,
                Tagged = true,
            });
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}
