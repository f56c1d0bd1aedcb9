using System.Text.Json;

namespace BatchNormNotebooks.Handouts.Tests;

/// <summary>
/// What the lecture promises of every content notebook (01–06), read from the real build's report.json: at least ten
/// checked claims, a marked live path of at most 30 cells, every exercise proven (the builder already stops when a
/// reference solution fails its check; here we also count them).
/// </summary>
[Collection(nameof(HandoutsCollection))]
public sealed class NotebookContractTests(HandoutsFixture handouts)
{
    private static IEnumerable<string> Content => Builder.Notebooks.Where(n => n is not "00-setup-check.dib");

    public static TheoryData<string> ContentNotebooks() => [.. Content];

    [Theory]
    [MemberData(nameof(ContentNotebooks))]
    public void Has_ten_checked_claims_a_live_path_and_answered_exercises(string notebook)
    {
        Assert.True(handouts.ExitCode == 0, $"The builder failed (exit {handouts.ExitCode}):\n{handouts.Output}");
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(handouts.OutDir, "report.json")));
        var row = report.RootElement.GetProperty("notebooks").EnumerateArray().Single(n => n.GetProperty("notebook").GetString() == notebook);
        // 07 is the students' implement-it notebook: its checks are exercises, not claims of the lecture.
        int minimumClaims = notebook.StartsWith("07", StringComparison.Ordinal) ? 3 : 10;
        Assert.True(row.GetProperty("claims").GetInt32() >= minimumClaims, $"{notebook}: {row.GetProperty("claims").GetInt32()} checked claims (want ≥ {minimumClaims})");
        int live = row.GetProperty("liveCells").GetInt32();
        Assert.InRange(live, 1, 30);
        var exercises = report.RootElement.GetProperty("exercises").EnumerateArray()
            .Where(e => e.GetProperty("notebook").GetString() == notebook)
            .Select(e => (Variant: e.GetProperty("variant").GetString(), Result: e.GetProperty("result").GetString()))
            .ToList();
        Assert.Contains(exercises, e => e.Variant == "lecturer");
        Assert.All(exercises.Where(e => e.Variant == "lecturer"), e => Assert.Equal("right", e.Result));
        Assert.All(exercises.Where(e => e.Variant == "students"), e => Assert.Equal("not answered", e.Result));
        Assert.True(File.Exists(Path.Combine(handouts.OutDir, "students", Path.ChangeExtension(notebook, ".html"))));
        string students = File.ReadAllText(Path.Combine(handouts.OutDir, "students", "notebooks", notebook));
        Assert.DoesNotContain("<details><summary>Solutions", students, StringComparison.Ordinal);
        Assert.DoesNotContain(NotebookVariants.SolutionsMark, students, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_planted_wrong_answer_is_rejected_by_its_check()
    {
        string outDir = Path.Combine(Path.GetTempPath(), $"bnn-handouts-wrong-{Environment.ProcessId}");
        try
        {
            string[] only = [.. Content.SelectMany(n => new[] { "--only", n[..2] })];
            var (exitCode, output) = Builder.Run(["--out", outDir, "--variant", "wrong", .. only]);
            Assert.True(exitCode == 0, output);
            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")));
            var rows = report.RootElement.GetProperty("exercises").EnumerateArray().ToList();
            // Every notebook with exercises ran its checks (a count quota would only measure how many exercises there are).
            var checkedNotebooks = rows.Select(r => r.GetProperty("notebook").GetString()).ToHashSet();
            Assert.All(Content, n => Assert.Contains(checkedNotebooks, c => c is not null && c.StartsWith(n[..2], StringComparison.Ordinal)));
            Assert.All(rows, r => Assert.Equal("wrong", r.GetProperty("result").GetString()));
        }
        finally
        {
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, recursive: true);
            }
        }
    }
}
