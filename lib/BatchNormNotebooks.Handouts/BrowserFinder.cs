using System.Diagnostics;
using Microsoft.Playwright;

namespace BatchNormNotebooks.Handouts;

/// <summary>
/// Finds a Chromium-family browser for the handout tests and the builder's <c>--pdf</c>, so neither needs anything
/// installed beforehand. Tried in order: the <see cref="Variable"/> environment variable (a browser executable), Playwright's
/// own installed browsers, Chrome and Edge through Playwright's channels, Debian's <c>/usr/bin/chromium</c>; where
/// none exists on Debian as root, Debian's <c>chromium</c> is installed once with apt-get (with a line saying so);
/// otherwise the caller gets one line saying what to install.
/// </summary>
public static class BrowserFinder
{
    /// <summary>Environment variable naming a Chromium, Chrome or Edge executable to use before anything else.</summary>
    public const string Variable = "BNN_BROWSER";

    private const string DebianChromium = "/usr/bin/chromium";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static (string Description, BrowserTypeLaunchOptions? Options)? found;

    private static readonly string[] Arguments =
        ["--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    /// <summary>
    /// The first browser that starts (searched once per process): a description and its launch options, or one
    /// actionable line and null options when there is none. Lines about installing go to <paramref name="log"/>.
    /// </summary>
    public static async Task<(string Description, BrowserTypeLaunchOptions? Options)> FindAsync(IPlaywright playwright, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(playwright);
        ArgumentNullException.ThrowIfNull(log);
        await Gate.WaitAsync();
        try
        {
            found ??= await SearchAsync(playwright, log);
            return found.Value;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<(string, BrowserTypeLaunchOptions?)> SearchAsync(IPlaywright playwright, Action<string> log)
    {
        string? explicitPath = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return File.Exists(explicitPath)
                ? ($"{explicitPath} (from {Variable})", Options(executable: explicitPath))
                : ($"{Variable}={explicitPath} names no file: point it at a Chromium, Chrome or Edge executable, or unset it.", null);
        }

        var candidates = new List<(string Description, BrowserTypeLaunchOptions Options)>
        {
            ("Playwright's installed Chromium", Options()),
            ("Google Chrome (Playwright channel 'chrome')", Options(channel: "chrome")),
            ("Microsoft Edge (Playwright channel 'msedge')", Options(channel: "msedge")),
        };
        if (File.Exists(DebianChromium))
        {
            candidates.Add((DebianChromium, Options(executable: DebianChromium)));
        }

        foreach (var (description, options) in candidates)
        {
            if (await StartsAsync(playwright, options))
            {
                return (description, options);
            }
        }

        if (File.Exists("/etc/debian_version") && Environment.IsPrivilegedProcess && !File.Exists(DebianChromium))
        {
            string line = $"No browser found: installing Debian's chromium with apt-get (once) for the handout browser tests ({Variable} overrides).";
            Console.Error.WriteLine(line);
            log(line);
            string? failure = AptGetInstallChromium();
            if (failure is not null)
            {
                return ($"No browser for the handout tests, and `apt-get install chromium` failed ({failure}): set {Variable} to a Chromium, Chrome or Edge executable.", null);
            }

            var options = Options(executable: DebianChromium);
            if (await StartsAsync(playwright, options))
            {
                return ($"{DebianChromium} (just installed with apt-get)", options);
            }
        }

        return ($"No browser for the handout tests: install Chrome, Edge or Chromium (Debian: `sudo apt-get install -y chromium`), or set {Variable} to a browser executable.", null);
    }

    private static BrowserTypeLaunchOptions Options(string? executable = null, string? channel = null) => new()
    {
        ExecutablePath = executable,
        Channel = channel,
        Headless = true,
        Args = Arguments,
    };

    private static async Task<bool> StartsAsync(IPlaywright playwright, BrowserTypeLaunchOptions options)
    {
        try
        {
            await using var browser = await playwright.Chromium.LaunchAsync(options);
            return true;
        }
        catch (PlaywrightException)
        {
            return false;
        }
    }

    /// <summary>apt-get update + install chromium; null on success, else a short reason.</summary>
    private static string? AptGetInstallChromium()
    {
        foreach (string[] args in new[] { new[] { "update", "-qq" }, ["install", "-y", "-qq", "chromium"] })
        {
            var info = new ProcessStartInfo("apt-get", args) { RedirectStandardOutput = true, RedirectStandardError = true };
            info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
            try
            {
                using var process = Process.Start(info)!;
                var stdout = process.StandardOutput.ReadToEndAsync();
                string stderr = process.StandardError.ReadToEnd();
                process.WaitForExit();
                _ = stdout.Result;
                if (process.ExitCode != 0)
                {
                    string last = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
                    return $"apt-get {args[0]} exited with {process.ExitCode}: {last.Trim()}";
                }
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                return e.Message;
            }
        }

        return null;
    }
}
