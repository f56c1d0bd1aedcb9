using Microsoft.Playwright;
using Xunit.Abstractions;

namespace BatchNormNotebooks.Handouts.Tests;

/// <summary>
/// Each handout opened in a Chromium-family browser (<see cref="Browsers"/>) with every non-file request aborted (network off): no console errors,
/// every chart drew SVG, math typeset by KaTeX with no raw <c>$$</c> left, and a screenshot kept — for the lecturer's
/// handouts and for the students' (handouts/students/).
/// </summary>
[Collection(nameof(HandoutsCollection))]
public sealed class HandoutBrowserTests(HandoutsFixture handouts, ITestOutputHelper output)
{
    public static TheoryData<string, string> Handouts()
    {
        var data = new TheoryData<string, string>();
        foreach (string notebook in Builder.Notebooks)
        {
            data.Add(notebook, "lecturer");
            data.Add(notebook, "students");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Handouts))]
    public async Task Handout_renders_offline(string notebook, string variant)
    {
        Assert.True(handouts.ExitCode == 0, $"The builder failed (exit {handouts.ExitCode}):\n{handouts.Output}");
        string name = Path.GetFileNameWithoutExtension(notebook);
        string html = variant == "students"
            ? Path.Combine(handouts.OutDir, "students", name + ".html")
            : Path.Combine(handouts.OutDir, "lecturer", name + ".html");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browsers.LaunchAsync(playwright, output);
        var (page, errors, blocked) = await OpenOfflineAsync(browser);
        await page.GotoAsync(new Uri(html).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load, Timeout = 120_000 });
        int charts = await page.Locator(".bnn-chart").CountAsync();
        await page.WaitForFunctionAsync(
            "() => [...document.querySelectorAll('.bnn-chart')].every(d => d.querySelector('svg.main-svg'))",
            null, new() { Timeout = 60_000 });

        string text = await page.InnerTextAsync("main");
        int katex = await page.Locator(".katex").CountAsync();
        int math = await page.Locator(".math").CountAsync();

        int mathMl = await page.Locator(".katex .katex-mathml math").CountAsync();
        var chartsWithoutText = await page.EvaluateAsync<string[]>(ChartsWithoutTextAlternative);
        var violations = await Axe.RunAsync(page);
        output.WriteLine(Axe.Describe(violations));

        string shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        string shot = Path.Combine(shots, $"{name}{(variant == "students" ? ".students" : "")}.png");
        await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
        output.WriteLine($"screenshot: {shot} ({charts} charts, {katex} KaTeX elements)");

        Assert.Empty(errors);
        Assert.Empty(blocked);
        Assert.DoesNotContain("$$", text, StringComparison.Ordinal);
        Assert.True(math == 0 || katex >= math, $"{math} math elements but only {katex} typeset by KaTeX");
        Assert.True(math > 0 || !File.ReadAllText(html).Contains("class=\"math\"", StringComparison.Ordinal));
        Assert.True(mathMl == katex, $"KaTeX's MathML (for screen readers) is missing: {mathMl} math elements for {katex} KaTeX elements");
        Assert.True(chartsWithoutText.Length == 0, $"{chartsWithoutText.Length} of {charts} charts without a text alternative:\n" + string.Join("\n", chartsWithoutText));
        Assert.True(violations.Count == 0, Axe.Describe(violations));
    }

    /// <summary>
    /// Every chart without its text alternative, as one line each: it must sit in a <c>figure</c> whose accessible name
    /// and description (aria-labelledby, aria-describedby) are non-empty text, the description quoting at least one
    /// number from the data, with a collapsed <c>details</c> holding a table with header cells.
    /// </summary>
    private const string ChartsWithoutTextAlternative = """
        () => [...document.querySelectorAll('.bnn-chart')].map((chart, k) => {
          const figure = chart.closest('figure.bnn-figure');
          if (!figure) return 'chart ' + (k + 1) + ': not in a figure';
          const text = attr => (figure.getAttribute(attr) || '').split(' ').map(id => document.getElementById(id)).filter(e => e).map(e => e.textContent.trim()).join(' ');
          const name = text('aria-labelledby'), description = text('aria-describedby');
          const details = figure.querySelector('details.bnn-chart-data');
          const problems = [];
          if (name.length < 5) problems.push('no accessible name');
          if (!/[0-9]/.test(description)) problems.push('no description with numbers');
          if (!details || details.open || !details.querySelector('table th[scope]')) problems.push('no collapsed data table with header cells');
          return problems.length ? 'chart ' + (k + 1) + ' (' + (name || chart.id) + '): ' + problems.join(', ') : null;
        }).filter(p => p)
        """;

    /// <summary>The slider charts of issue 21 §3, per notebook.</summary>
    public static TheoryData<string, int> SliderNotebooks() => new() { { "04-epsilon", 1 }, { "05-moving-averages-inference", 2 }, { "06-optimizers", 2 } };

    /// <summary>
    /// Every slider chart redraws when its slider moves: once from the keyboard (its range input, End key) and once
    /// with the mouse on plotly's own slider (a click at the rail's left end), which also moves the range input back.
    /// </summary>
    [Theory]
    [MemberData(nameof(SliderNotebooks))]
    public async Task Sliders_redraw_the_chart_from_keyboard_and_mouse(string name, int expected)
    {
        Assert.True(handouts.ExitCode == 0, $"The builder failed (exit {handouts.ExitCode}):\n{handouts.Output}");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browsers.LaunchAsync(playwright, output);
        var (page, errors, _) = await OpenOfflineAsync(browser);
        await page.GotoAsync(new Uri(Path.Combine(handouts.OutDir, "lecturer", name + ".html")).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load, Timeout = 120_000 });
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.bnn-chart')].every(d => d.querySelector('svg.main-svg'))", null, new() { Timeout = 60_000 });
        var figures = page.Locator("figure.bnn-figure:has(label.bnn-slider)");
        int count = await figures.CountAsync();
        Assert.True(count >= expected, $"{name}: {count} slider charts, expected {expected}");
        string shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        for (int i = 0; i < count; i++)
        {
            var figure = figures.Nth(i);
            await figure.ScrollIntoViewIfNeededAsync();
            async Task<string> Drawn() => string.Join("|", await figure.Locator("path.js-line").EvaluateAllAsync<string[]>("ps => ps.map(p => p.getAttribute('d'))"));
            var input = figure.Locator("input[type=range]");
            string before = await Drawn();
            await figure.ScreenshotAsync(new() { Path = Path.Combine(shots, $"{name}.slider{i + 1}.before.png") });

            await input.FocusAsync();
            await page.Keyboard.PressAsync("End");
            await page.WaitForTimeoutAsync(300);
            string byKeyboard = await Drawn();
            await figure.ScreenshotAsync(new() { Path = Path.Combine(shots, $"{name}.slider{i + 1}.end.png") });
            Assert.NotEqual(before, byKeyboard);
            Assert.Equal(await input.GetAttributeAsync("max"), await input.InputValueAsync());

            var rail = await figure.Locator("rect.slider-rail-touch-rect").BoundingBoxAsync();
            Assert.NotNull(rail);
            await page.Mouse.ClickAsync(rail.X + 2, rail.Y + (rail.Height / 2));
            await page.WaitForTimeoutAsync(300);
            string byMouse = await Drawn();
            Assert.NotEqual(byKeyboard, byMouse);
            Assert.Equal("0", await input.InputValueAsync());
            output.WriteLine($"{name} slider {i + 1}: redrawn by keyboard and mouse");
        }

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("index.html")]
    [InlineData("lecturer/index.html")]
    [InlineData("students/index.html")]
    public async Task Index_page_passes_axe(string index)
    {
        Assert.True(handouts.ExitCode == 0, $"The builder failed (exit {handouts.ExitCode}):\n{handouts.Output}");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browsers.LaunchAsync(playwright, output);
        var (page, errors, blocked) = await OpenOfflineAsync(browser);
        await page.GotoAsync(new Uri(Path.Combine(handouts.OutDir, index)).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load });
        var violations = await Axe.RunAsync(page);
        output.WriteLine(Axe.Describe(violations));
        Assert.Empty(errors);
        Assert.Empty(blocked);
        Assert.True(violations.Count == 0, Axe.Describe(violations));
    }

    /// <summary>A new page that aborts every non-file request (recorded in <c>blocked</c>) and records console errors.</summary>
    internal static async Task<(IPage Page, List<string> Errors, List<string> Blocked)> OpenOfflineAsync(IBrowser browser)
    {
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var errors = new List<string>();
        var blocked = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                errors.Add(m.Text);
            }
        };
        page.PageError += (_, e) => errors.Add(e);
        await page.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url.StartsWith("file:", StringComparison.Ordinal))
            {
                await route.ContinueAsync();
            }
            else
            {
                blocked.Add(route.Request.Url);
                await route.AbortAsync();
            }
        });
        return (page, errors, blocked);
    }
}
