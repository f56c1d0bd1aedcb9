using System.Text.Json;
using Microsoft.Playwright;

namespace BatchNormNotebooks.Handouts.Tests;

/// <summary>
/// axe-core (npm package <c>axe-core</c>, pinned by lib/npm/package-lock.json, fetched by <see cref="NpmAssets"/>,
/// never committed), inlined into an open page and run over the WCAG 2.1 A and AA rules.
/// </summary>
public static class Axe
{
    /// <summary>The rule tags checked: WCAG 2.0 and 2.1, levels A and AA.</summary>
    public static readonly string[] Tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

    private static readonly Lazy<string> Script = new(() => File.ReadAllText(NpmAssets.Path("axe-core", "axe.min.js", Builder.RepoRoot)));

    /// <summary>One failed rule: its id, impact, help text, how many elements fail it and the first few of them.</summary>
    public sealed record Violation(string Id, string Impact, string Help, int Nodes, IReadOnlyList<string> Examples)
    {
        public override string ToString() => $"{Id} ({Impact}, {Nodes} element(s)): {Help}\n      e.g. {string.Join("\n      e.g. ", Examples)}";
    }

    /// <summary>Runs axe over the whole of <paramref name="page"/> (after its scripts have drawn everything).</summary>
    public static async Task<IReadOnlyList<Violation>> RunAsync(IPage page)
    {
        await page.AddScriptTagAsync(new() { Content = Script.Value });
        string json = await page.EvaluateAsync<string>(
            """
            async (tags) => {
              const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
              return JSON.stringify(result.violations.map(v => ({
                id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.length,
                examples: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\n').slice(1, 2).join('').trim())
              })));
            }
            """, Tags);
        using var doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.EnumerateArray().Select(v => new Violation(
            v.GetProperty("id").GetString()!, v.GetProperty("impact").GetString()!, v.GetProperty("help").GetString()!,
            v.GetProperty("nodes").GetInt32(), [.. v.GetProperty("examples").EnumerateArray().Select(e => e.GetString()!)]))];
    }

    /// <summary>One line per violation, for a failure message and the test log.</summary>
    public static string Describe(IReadOnlyList<Violation> violations) =>
        violations.Count == 0
            ? "axe: no WCAG 2.1 A/AA violations"
            : $"axe: {violations.Count} rule(s) violated by {violations.Sum(v => v.Nodes)} element(s):\n  " + string.Join("\n  ", violations);
}
