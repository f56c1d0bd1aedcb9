namespace BatchNormNotebooks.Handouts.Tests;

/// <summary>
/// The grader on the real students' kit of the full build: a student handing in the reference solutions of
/// notebooks/solutions/ passes every exercise; a student whose last answer cell of each notebook is its planted wrong
/// answer fails exactly the exercises that cell's check prints, and passes the rest.
/// </summary>
[Collection(nameof(HandoutsCollection))]
public sealed class GraderOnTheKitTests(HandoutsFixture handouts)
{
    [Fact]
    public void Reference_answers_pass_everything_and_a_planted_wrong_answer_fails_exactly_its_exercises()
    {
        Assert.True(handouts.ExitCode == 0, $"The builder failed (exit {handouts.ExitCode}):\n{handouts.Output}");
        string kit = Path.Combine(handouts.OutDir, "students");
        var manifest = StudentKit.ReadExercises(kit);
        string subs = Path.Combine(Path.GetTempPath(), $"bnn-grader-kit-test-{Environment.ProcessId}");
        Directory.CreateDirectory(Path.Combine(subs, "reference"));
        Directory.CreateDirectory(Path.Combine(subs, "wrong-last"));
        var expected = new Dictionary<(string Student, string Notebook, string Exercise), string>();
        try
        {
            foreach (var (notebook, exercises) in manifest.Where(m => m.Value.Count > 0))
            {
                string kitPath = Path.Combine(kit, StudentKit.NotebooksFolder, notebook);
                var solutions = ExerciseSolutions.Load(Path.Combine(Builder.RepoRoot, "notebooks", notebook));
                string kitText = File.ReadAllText(kitPath);
                File.WriteAllText(Path.Combine(subs, "reference", notebook), Fill(kitText, solutions, wrongKey: null));

                // The last answer cell gets its planted mistake; its checks are those after it (cell numbers as the runner counts them).
                var elements = NotebookFile.Read(kitPath, Variant.Students).Elements.ToList();
                int last = elements.FindLastIndex(e => e.KernelName == "csharp" && NotebookVariants.AnswerNames(e.Contents).Count > 0);
                Assert.True(last >= 0, $"{notebook}: no answer cell");
                // The cell's key is its first answer name with a reference solution (as Fill picks it): a cell may declare
                // several answers, e.g. answer5Counts before answer5.
                string lastKey = NotebookVariants.AnswerNames(elements[last].Contents).First(solutions.Solutions.ContainsKey);
                File.WriteAllText(Path.Combine(subs, "wrong-last", notebook), Fill(kitText, solutions, wrongKey: lastKey));
                foreach (var e in exercises)
                {
                    expected[("reference", notebook, e.Name)] = "passed";
                    expected[("wrong-last", notebook, e.Name)] = e.Cell > last + 1 ? "failed" : "passed";
                }
            }

            var (exit, output) = Builder.Grade(subs, "--kit", kit);
            Assert.True(exit == 0, output);
            var got = GraderTests.Csv(File.ReadAllText(Path.Combine(subs, "grades.csv"))).Skip(1)
                .ToDictionary(f => (f[0], f[1], f[2]), f => $"{f[3]} ({f[4]})");
            Assert.Equal(expected.Keys.Order(), got.Keys.Order());
            var wrong = expected.Where(e => !got[e.Key].StartsWith(e.Value + " (", StringComparison.Ordinal))
                .Select(e => $"{e.Key}: expected {e.Value}, got {got[e.Key]}").ToList();
            Assert.True(wrong.Count == 0, string.Join("\n", wrong) + "\n" + output);
            Assert.Contains(expected, e => e.Value == "failed");
        }
        finally
        {
            Directory.Delete(subs, recursive: true);
        }
    }

    /// <summary>The kit's notebook with every answer cell holding its reference solution, or for <paramref name="wrongKey"/> its planted mistake.</summary>
    private static string Fill(string kitText, ExerciseSolutions solutions, string? wrongKey)
    {
        var notebook = NotebookFile.ParseDib(kitText);
        foreach (var c in notebook.Elements)
        {
            var names = c.KernelName == "csharp" ? NotebookVariants.AnswerNames(c.Contents) : [];
            string? key = names.FirstOrDefault(solutions.Solutions.ContainsKey);
            if (key is not null)
            {
                c.Contents = key == wrongKey ? solutions.Wrong[key] : solutions.Solutions[key];
            }
        }

        return NotebookFile.ToDib(notebook);
    }
}
