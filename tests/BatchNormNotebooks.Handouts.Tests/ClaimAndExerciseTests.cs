using System.Text.Json;

namespace BatchNormNotebooks.Handouts.Tests;

/// <summary>
/// Claims and exercises are proven by the build: a false claim stops it naming notebook and cell; the lecturer's run
/// passes every check with the reference solutions, the wrong-answers run fails every check, the students' run leaves
/// them unanswered. Runs the real builder on a small fixture notebook.
/// </summary>
public sealed class ClaimAndExerciseTests
{
    private static readonly string Fixtures = Path.Combine(Builder.RepoRoot, "tests/BatchNormNotebooks.Handouts.Tests/fixtures");

    [Fact]
    public void False_claim_fails_the_build_naming_notebook_cell_and_claim()
    {
        string outDir = TempDir("false-claim");
        try
        {
            var (exitCode, output) = Builder.Run("--notebooks", Path.Combine(Fixtures, "false-claim"), "--out", outDir, "--timeout", "300");
            Assert.NotEqual(0, exitCode);
            Assert.Contains("01-false-claim.dib:3", output, StringComparison.Ordinal);
            Assert.Contains("Claim is false: one is larger than two (1 vs 2)", output, StringComparison.Ordinal);
            Assert.False(Directory.Exists(outDir), "a failed build must not write the output folder");
        }
        finally
        {
            DeleteIfExists(outDir);
        }
    }

    [Fact]
    public void Lecturer_students_and_wrong_runs_give_their_verdicts_and_the_report_lists_claims()
    {
        string outDir = TempDir("exercises");
        try
        {
            var (exitCode, output) = Builder.Run("--notebooks", Path.Combine(Fixtures, "claims"), "--out", outDir, "--timeout", "300",
                "--variant", "lecturer", "--variant", "students", "--variant", "wrong");
            Assert.True(exitCode == 0, output);
            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")));
            var root = report.RootElement;

            var claim = Assert.Single(root.GetProperty("claims").EnumerateArray());
            Assert.Equal("01-claims-and-exercises.dib", claim.GetProperty("notebook").GetString());
            Assert.Equal(3, claim.GetProperty("cell").GetInt32());
            Assert.Equal("two is larger than one (2 vs 1)", claim.GetProperty("text").GetString());

            var exercises = root.GetProperty("exercises").EnumerateArray()
                .Select(e => (Variant: e.GetProperty("variant").GetString(), Result: e.GetProperty("result").GetString()))
                .ToList();
            Assert.Equal([("lecturer", "right"), ("students", "not answered"), ("wrong", "wrong")], exercises);

            var notebook = Assert.Single(root.GetProperty("notebooks").EnumerateArray());
            Assert.Equal(2, notebook.GetProperty("liveCells").GetInt32());

            string students = File.ReadAllText(Path.Combine(outDir, "students", "notebooks", "01-claims-and-exercises.dib"));
            Assert.Contains("double answer1 = double.NaN;", students, StringComparison.Ordinal);
            Assert.DoesNotContain("<details>", students, StringComparison.Ordinal);
            Assert.Contains("#r \"../lib/BatchNormNotebooks.Interactive.dll\"", students, StringComparison.Ordinal);
            Assert.Contains("// 42", File.ReadAllText(Path.Combine(outDir, "lecturer", "01-claims-and-exercises.html")), StringComparison.Ordinal);
            Assert.DoesNotContain("// 42", File.ReadAllText(Path.Combine(outDir, "students", "01-claims-and-exercises.html")), StringComparison.Ordinal);
            string index = File.ReadAllText(Path.Combine(outDir, "lecturer", "index.html"));
            Assert.Contains("href=\"../students/01-claims-and-exercises.html\"", index, StringComparison.Ordinal);
            Assert.Contains("href=\"../students/notebooks/01-claims-and-exercises.dib\"", index, StringComparison.Ordinal);
            // Nothing of the lecturer's reaches the students' folder or zip: no solution, no executed .ipynb.
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(outDir, "students"), "*.ipynb", SearchOption.AllDirectories));
            Assert.True(File.Exists(Path.Combine(outDir, "students.zip")));
        }
        finally
        {
            DeleteIfExists(outDir);
        }
    }

    [Fact]
    public void A_reference_solution_that_fails_its_check_fails_the_build()
    {
        string outDir = TempDir("bad-solution-out");
        try
        {
            // Same relative depth as the fixtures so the notebook's #r path still resolves.
            string dir = Path.Combine(Fixtures, $"tmp-bad-solution-{Environment.ProcessId}");
            Directory.CreateDirectory(Path.Combine(dir, "solutions"));
            File.Copy(Path.Combine(Fixtures, "claims", "01-claims-and-exercises.dib"), Path.Combine(dir, "01-claims-and-exercises.dib"));
            File.WriteAllText(Path.Combine(dir, "solutions", "01-claims-and-exercises.txt"),
                "#!solution answer1\ndouble answer1 = 41;\n#!wrong answer1\ndouble answer1 = 13;\n");
            try
            {
                var (exitCode, output) = Builder.Run("--notebooks", dir, "--out", outDir, "--timeout", "300", "--variant", "lecturer");
                Assert.NotEqual(0, exitCode);
                Assert.Contains("01-claims-and-exercises.dib:6", output, StringComparison.Ordinal);
                Assert.Contains("reference solution", output, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        finally
        {
            DeleteIfExists(outDir);
        }
    }

    private static string TempDir(string what) => Path.Combine(Path.GetTempPath(), $"bnn-{what}-{Environment.ProcessId}");

    private static void DeleteIfExists(string dir)
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
