using Microsoft.Playwright;
using Xunit.Abstractions;

namespace BatchNormNotebooks.Handouts.Tests;

/// <summary>The browser of the handout tests: the builder's <see cref="BrowserFinder"/> (also behind <c>--pdf</c>).</summary>
public static class Browsers
{
    /// <summary>
    /// Launches the first browser that works (searching once per test run) and writes which one to
    /// <paramref name="log"/>; fails the test with one actionable line when there is none.
    /// </summary>
    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright, ITestOutputHelper log)
    {
        ArgumentNullException.ThrowIfNull(playwright);
        ArgumentNullException.ThrowIfNull(log);
        var (description, options) = await BrowserFinder.FindAsync(playwright, log.WriteLine);
        Assert.True(options is not null, description);
        log.WriteLine($"browser: {description}");
        return await playwright.Chromium.LaunchAsync(options);
    }
}
