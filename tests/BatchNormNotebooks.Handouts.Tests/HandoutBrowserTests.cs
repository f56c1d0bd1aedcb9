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

        await page.GotoAsync(new Uri(html).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load, Timeout = 120_000 });
        int charts = await page.Locator(".bnn-chart").CountAsync();
        await page.WaitForFunctionAsync(
            "() => [...document.querySelectorAll('.bnn-chart')].every(d => d.querySelector('svg.main-svg'))",
            null, new() { Timeout = 60_000 });

        string text = await page.InnerTextAsync("main");
        int katex = await page.Locator(".katex").CountAsync();
        int math = await page.Locator(".math").CountAsync();

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
    }
}
