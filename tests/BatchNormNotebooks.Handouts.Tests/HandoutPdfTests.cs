using Microsoft.Playwright;
using UglyToad.PdfPig;
using Xunit.Abstractions;

namespace BatchNormNotebooks.Handouts.Tests;

/// <summary>
/// One handout printed to PDF as the builder's <c>--pdf</c> prints it (<see cref="HandoutPdf"/>): a plausible page
/// count, the page's text embedded (title, headings, chart titles), no blank page, and the print CSS keeping every
/// chart, code block and display formula whole.
/// </summary>
[Collection(nameof(HandoutsCollection))]
public sealed class HandoutPdfTests(HandoutsFixture handouts, ITestOutputHelper output)
{
    /// <summary>Notebook 04: prose, display math, code, matrices and charts.</summary>
    private const string Notebook = "04-epsilon";

    /// <summary>The footer's height (16 mm bottom margin) in PDF points: words below it are the page number line.</summary>
    private const double FooterPoints = 16 / 25.4 * 72;

    [Fact]
    public async Task A_handout_prints_to_pdf_with_its_text_and_no_blank_page()
    {
        Assert.True(handouts.ExitCode == 0, $"The builder failed (exit {handouts.ExitCode}):\n{handouts.Output}");
        string html = Path.Combine(handouts.OutDir, "lecturer", Notebook + ".html");
        string pdf = Path.Combine(AppContext.BaseDirectory, "screenshots", Notebook + ".pdf");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browsers.LaunchAsync(playwright, output);

        var (page, _, _) = await HandoutBrowserTests.OpenOfflineAsync(browser);
        await page.GotoAsync(new Uri(html).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load });
        string title = await page.TitleAsync();
        string[] chartTitles = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('.bnn-chart')].map(c => (c.closest('figure').querySelector('figcaption span').textContent.split(': ')[1] || '').replace(/\\.$/, '')).filter(t => t)");
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        string[] breakable = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('figure.bnn-figure, pre.code, .katex-display')].filter(e => getComputedStyle(e).breakInside !== 'avoid').map(e => e.tagName + '.' + e.className)");

        await HandoutPdf.PrintAsync(browser, html, pdf);
        using var document = PdfDocument.Open(pdf);
        var pages = document.GetPages().ToList();
        var blank = pages.Where(p => p.GetWords().Count(w => w.BoundingBox.Bottom > FooterPoints) < 5).Select(p => p.Number).ToList();
        string text = string.Join(" ", pages.SelectMany(p => p.GetWords()).Select(w => w.Text));
        output.WriteLine($"{pdf}: {pages.Count} pages, {text.Length} characters of text, {chartTitles.Length} chart titles");

        Assert.InRange(pages.Count, 3, 60);
        Assert.True(blank.Count == 0, $"blank page(s): {string.Join(", ", blank)}");
        Assert.Empty(breakable);
        Assert.Contains("What", text, StringComparison.Ordinal);
        foreach (string word in title.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length > 3 && w.All(char.IsLetter)))
        {
            Assert.Contains(word, text, StringComparison.Ordinal);
        }

        Assert.NotEmpty(chartTitles);
        Assert.All(chartTitles, t => Assert.Contains(t.Split(' ')[0], text, StringComparison.Ordinal));
    }
}
