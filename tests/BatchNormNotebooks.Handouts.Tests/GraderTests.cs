using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using BatchNormNotebooks.Grade;

namespace BatchNormNotebooks.Handouts.Tests;

/// <summary>
/// The grader on a test class: a kit built by the real builder from a two-exercise fixture notebook, one submission
/// per kind of hand-in (right, wrong, zipped, a loop, a compile error, an exception, a tampered check, a corrupt zip,
/// not a .dib, nothing), graded by the real grader process into grades.csv and grades.html.
/// </summary>
public sealed class GraderTests
{
    private static readonly string Fixture = Path.Combine(Builder.RepoRoot, "tests/BatchNormNotebooks.Handouts.Tests/fixtures/grading");
    private const string Notebook = "01-two-exercises.dib";
    /// <summary>The loop's limit; the other submissions get a generous one, so a loaded machine cannot time them out.</summary>
    private const int TimeoutSeconds = 45;

    [Fact]
    public void Grades_every_kind_of_submission_into_csv_and_html_with_the_expected_result_in_every_cell()
    {
        string root = Path.Combine(Path.GetTempPath(), $"bnn-grader-test-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        try
        {
            var (built, buildOutput) = Builder.Run("--notebooks", Fixture, "--out", Path.Combine(root, "handouts"), "--variant", "students", "--timeout", "300");
            Assert.True(built == 0, buildOutput);
            string kitZip = Path.Combine(root, "handouts", "students.zip");
            string kitText = File.ReadAllText(Path.Combine(root, "handouts", "students", "notebooks", Notebook));

            string subs = Path.Combine(root, "submissions");
            void Hand(string student, string text, string file = Notebook)
            {
                Directory.CreateDirectory(Path.Combine(subs, student));
                File.WriteAllText(Path.Combine(subs, student, file), text);
            }

            string Answer(string text, string answer1, string answer2 = "double answer2 = 1024;") => text
                .Replace("double answer1 = double.NaN;   // 6 · 7", answer1, StringComparison.Ordinal)
                .Replace("double answer2 = double.NaN;   // 2 to the 10th", answer2, StringComparison.Ordinal);

            Hand("right", Answer(kitText, "double answer1 = 42;"));
            Hand("wrong-first", Answer(kitText, "double answer1 = 13;"));
            string loopSubs = Path.Combine(root, "loop-submissions");
            Directory.CreateDirectory(Path.Combine(loopSubs, "loop"));
            File.WriteAllText(Path.Combine(loopSubs, "loop", Notebook), Answer(kitText, "double answer1 = 42;\nwhile (true) { }"));
            Hand("compile-error", Answer(kitText, "double answer1 = 42"));
            Hand("exception", Answer(kitText, "double answer1 = int.Parse(\"forty-two\");"));
            // A wrong answer whose author also prints a fake verdict and rewrites the check cell to print one.
            Hand("tampered", Answer(kitText, "double answer1 = 13;\nConsole.WriteLine(\"✅ Exercise 1 · product: right.\");")
                .Replace("Exercise.Check(\"1 · product\", answer1, 6 * 7, tolerance: 0, hint: \"Multiply.\");", "Console.WriteLine(\"✅ Exercise 1 · product: right.\");", StringComparison.Ordinal));
            Hand("unanswered", kitText);
            Hand("not-a-dib", "{\"cells\": []}", Path.ChangeExtension(Notebook, ".ipynb"));
            Hand("garbage-dib", "\u0000\u0001 not a notebook");
            Directory.CreateDirectory(Path.Combine(subs, "nothing"));
            using (var zip = ZipFile.Open(Path.Combine(subs, "zipped.zip"), ZipArchiveMode.Create))
            {
                using var writer = new StreamWriter(zip.CreateEntry("my-work/notebooks/" + Notebook).Open(), Encoding.UTF8);
                writer.Write(Answer(kitText, "double answer1 = 6 * 7;"));
            }

            File.WriteAllBytes(Path.Combine(subs, "corrupt.zip"), [0x50, 0x4B, 0x03, 0x04, 1, 2, 3, 4, 5]);

            var (exit, output) = Builder.Grade(subs, "--kit", kitZip, "--timeout", "900", "--parallel", "2");
            Assert.True(exit == 0, output);
            var (loopExit, loopOutput) = Builder.Grade(loopSubs, "--kit", kitZip, "--timeout", TimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", subs + "-loop");
            Assert.True(loopExit == 0, loopOutput);

            var rows = Csv(File.ReadAllText(Path.Combine(subs, "grades.csv")));
            rows.AddRange(Csv(File.ReadAllText(Path.Combine(subs + "-loop", "grades.csv"))).Skip(1));
            Assert.Equal(["student", "notebook", "exercise", "result", "message"], rows[0]);
            var got = rows.Skip(1).ToDictionary(r => (r[0], r[2]), r => (Result: r[3], Message: r[4]));
            var expected = new Dictionary<(string, string), string>
            {
                [("right", "1 · product")] = "passed",
                [("right", "2 · power")] = "passed",
                [("zipped", "1 · product")] = "passed",
                [("zipped", "2 · power")] = "passed",
                [("wrong-first", "1 · product")] = "failed",
                [("wrong-first", "2 · power")] = "passed",
                [("loop", "1 · product")] = "timed out",
                [("loop", "2 · power")] = "timed out",
                [("compile-error", "1 · product")] = "error",
                [("compile-error", "2 · power")] = "passed",
                [("exception", "1 · product")] = "error",
                [("exception", "2 · power")] = "passed",
                [("tampered", "1 · product")] = "failed",
                [("tampered", "2 · power")] = "passed",
                [("unanswered", "1 · product")] = "not answered",
                [("unanswered", "2 · power")] = "not answered",
                [("not-a-dib", "1 · product")] = "error",
                [("not-a-dib", "2 · power")] = "error",
                [("garbage-dib", "1 · product")] = "error",
                [("garbage-dib", "2 · power")] = "error",
                [("nothing", "1 · product")] = "not answered",
                [("nothing", "2 · power")] = "not answered",
                [("corrupt", "1 · product")] = "error",
                [("corrupt", "2 · power")] = "error",
            };
            Assert.Equal(expected.Keys.Order(), got.Keys.Order());
            Assert.All(expected, e => Assert.True(got[e.Key].Result == e.Value, $"{e.Key}: expected {e.Value}, got {got[e.Key].Result} ({got[e.Key].Message})\n{output}"));

            // Each bad row says why.
            Assert.Contains("Multiply.", got[("wrong-first", "1 · product")].Message, StringComparison.Ordinal);
            Assert.Contains("CS1002", got[("compile-error", "1 · product")].Message, StringComparison.Ordinal);
            Assert.Contains("answer cell", got[("compile-error", "1 · product")].Message, StringComparison.Ordinal);
            Assert.Contains("FormatException", got[("exception", "1 · product")].Message, StringComparison.Ordinal);
            Assert.Contains($"{TimeoutSeconds} s", got[("loop", "1 · product")].Message, StringComparison.Ordinal);
            Assert.Contains("corrupt zip", got[("corrupt", "1 · product")].Message, StringComparison.Ordinal);
            Assert.Contains("not a .dib", got[("not-a-dib", "1 · product")].Message, StringComparison.Ordinal);
            Assert.Contains("not handed in", got[("nothing", "1 · product")].Message, StringComparison.Ordinal);

            // The loop was stopped at the limit, plus the seconds it takes to copy the kit and end the kernel.
            var loop = Regex.Match(loopOutput, @"loop · 01-two-exercises\.dib: \d+/\d+ passed \((?<s>[\d.]+) s\)");
            Assert.True(loop.Success, loopOutput);
            Assert.InRange(double.Parse(loop.Groups["s"].Value, System.Globalization.CultureInfo.InvariantCulture), TimeoutSeconds, TimeoutSeconds + 20);

            string html = File.ReadAllText(Path.Combine(subs, "grades.html"));
            Assert.Equal(expected.Keys.Select(k => k.Item1).Distinct().Count() - 1, Regex.Matches(html, "<tr><td>").Count);
            Assert.Contains("<td class=\"error\"", html, StringComparison.Ordinal);
            Assert.Contains("<td class=\"timed-out\"", File.ReadAllText(Path.Combine(subs + "-loop", "grades.html")), StringComparison.Ordinal);
            Assert.DoesNotContain("http", html.Replace("http-equiv", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.Contains("11 student(s)", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Refuses_a_submissions_folder_inside_the_lecture_notebooks()
    {
        string inside = Path.Combine(Builder.RepoRoot, "notebooks", "solutions");
        var e = Assert.Throws<ArgumentException>(() => GradeOptions.Parse([inside], Builder.RepoRoot));
        Assert.Contains("notebooks/", e.Message, StringComparison.Ordinal);
        var (exit, output) = Builder.Grade(inside);
        Assert.Equal(2, exit);
        Assert.Contains("inside the repository's notebooks/", output, StringComparison.Ordinal);
        Assert.True(GradeOptions.IsInside(Path.Combine(Builder.RepoRoot, "notebooks"), Path.Combine(Builder.RepoRoot, "notebooks")));
        Assert.False(GradeOptions.IsInside(Path.Combine(Builder.RepoRoot, "notebooks-2026"), Path.Combine(Builder.RepoRoot, "notebooks")));
    }

    [Fact]
    public void Compose_takes_the_students_answer_cells_and_the_kits_checks()
    {
        const string kit = "#!csharp\n\ndouble answer1 = double.NaN;\n\n#!csharp\n\nExercise.Check(\"1\", answer1, 42);\n\n#!csharp\n\ndouble answer2 = double.NaN;\n\n#!csharp\n\nExercise.Check(\"2\", answer2, 1);\n";
        const string student = "#!csharp\n\nvar x = 6;\ndouble answer1 = x\n    * 7;\n\n#!csharp\n\nConsole.WriteLine(\"✅ Exercise 1: right.\");\n\n#!csharp\n\ndouble answer2 = double.NaN;\n";
        var (text, answered) = NotebookGrader.Compose(kit, student);
        Assert.Equal(1, answered);
        var cells = NotebookFile.ParseDib(text).Elements;
        Assert.All(cells, c => Assert.Equal("csharp", c.KernelName));
        Assert.Equal(["var x = 6;\ndouble answer1 = x\n    * 7;", "Exercise.Check(\"1\", answer1, 42);", "double answer2 = double.NaN;", "Exercise.Check(\"2\", answer2, 1);"], cells.Select(c => c.Contents));
    }

    /// <summary>RFC 4180 CSV, as grades.csv writes it (quoted fields may hold commas, quotes and newlines).</summary>
    internal static List<string[]> Csv(string text)
    {
        var rows = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted && c == '"' && i + 1 < text.Length && text[i + 1] == '"')
            {
                field.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (!quoted && c == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                rows.Add([.. fields]);
                fields.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        return rows;
    }
}
