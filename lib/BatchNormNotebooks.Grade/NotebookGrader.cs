using BatchNormNotebooks.Handouts;
using BatchNormNotebooks.Interactive;

namespace BatchNormNotebooks.Grade;

/// <summary>What one exercise got.</summary>
public enum GradeResult
{
    /// <summary>The kit's check printed ✅.</summary>
    Passed,

    /// <summary>The kit's check printed ❌.</summary>
    Failed,

    /// <summary>The answer cell was left as handed out, or the notebook was not handed in.</summary>
    NotAnswered,

    /// <summary>The answer or check cell failed (compile error, exception), or the notebook cannot be read.</summary>
    Error,

    /// <summary>The notebook hit its time limit before the check printed (the kernel was ended).</summary>
    TimedOut,
}

/// <summary>One row of grades.csv.</summary>
/// <param name="Student">Submission name.</param>
/// <param name="Notebook">Notebook file name.</param>
/// <param name="Exercise">Exercise name as its check prints it.</param>
/// <param name="Result">The grade.</param>
/// <param name="Message">The check's line, the error, or why the notebook was not graded.</param>
public sealed record GradeRow(string Student, string Notebook, string Exercise, GradeResult Result, string Message);

/// <summary>
/// Grades one handed-in notebook: the kit's pristine notebook with each answer cell replaced by the student's cell
/// that declares the same answer variable (found as <see cref="NotebookVariants.DeclaredAnswerNames"/>), run in a
/// fresh kernel in a fresh copy of the kit's lib/ and data; every other cell — the checks above all — is the kit's.
/// </summary>
public static class NotebookGrader
{
    /// <summary>
    /// The kit's notebook text with the student's answer cells put in; answer cells the student did not hand in stay
    /// as handed out (unanswered).
    /// </summary>
    /// <returns>The text to run and how many answer cells came from the student.</returns>
    public static (string Text, int Answered) Compose(string kitText, string studentText)
    {
        var studentCells = NotebookFile.ParseDib(studentText).Elements.Where(c => c.KernelName == "csharp").ToList();
        int answered = 0;
        var kit = NotebookFile.ParseDib(kitText);
        foreach (var cell in kit.Elements)
        {
            var names = cell.KernelName == "csharp" ? NotebookVariants.AnswerNames(cell.Contents) : [];
            if (names.Count == 0)
            {
                continue;
            }

            var mine = studentCells.FirstOrDefault(c => NotebookVariants.DeclaredAnswerNames(c.Contents).Contains(names[0]));
            if (mine is not null && mine.Contents.Trim() != cell.Contents.Trim())
            {
                answered++;
                cell.Contents = mine.Contents;
            }
        }

        return (NotebookFile.ToDib(kit), answered);
    }

    /// <summary>Grades <paramref name="handedIn"/> (the text of <paramref name="notebook"/>) against the kit; never throws for a bad submission.</summary>
    /// <param name="student">Submission name, for the rows.</param>
    /// <param name="notebook">Notebook file name, e.g. "04-epsilon.dib".</param>
    /// <param name="handedIn">What the student handed in, or null if the notebook is missing.</param>
    /// <param name="exercises">The kit's checks of this notebook (lib/exercises.json).</param>
    /// <param name="kitDir">The pristine kit.</param>
    /// <param name="runDir">An empty private folder for this run (deleted by the caller).</param>
    /// <param name="repoRoot">The repository root (the pinned kernel tool).</param>
    /// <param name="timeout">The notebook's time limit, kernel start included.</param>
    public static async Task<IReadOnlyList<GradeRow>> GradeAsync(string student, string notebook, HandedIn? handedIn,
        IReadOnlyList<KitExercise> exercises, string kitDir, string runDir, string repoRoot, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(exercises);
        List<GradeRow> All(GradeResult result, string message) =>
            [.. exercises.Select(e => new GradeRow(student, notebook, e.Name, result, message))];

        if (handedIn is null)
        {
            return All(GradeResult.NotAnswered, "notebook not handed in");
        }

        if (handedIn.Text is null)
        {
            return All(GradeResult.Error, handedIn.Problem ?? "cannot be read");
        }

        if (!NotebookFile.ParseDib(handedIn.Text, defaultKernel: "markdown").Elements.Any(c => c.KernelName == "csharp"))
        {
            return All(GradeResult.Error, "not a .dib notebook (no #!csharp cell)");
        }

        var (text, _) = Compose(File.ReadAllText(Path.Combine(kitDir, StudentKit.NotebooksFolder, notebook)), handedIn.Text);
        NotebookRun run;
        try
        {
            PrepareRun(kitDir, runDir);
            string path = Path.Combine(runDir, StudentKit.NotebooksFolder, notebook);
            File.WriteAllText(path, text);
            var settings = new RunSettings(timeout, Variant.Students, KeepGoing: true, NotebookTimeout: timeout, Progress: TextWriter.Null);
            run = await NotebookRunner.RunDocumentAsync(NotebookFile.Read(path, Variant.Students), path, repoRoot, settings);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The kernel did not start, the run folder could not be written, …: the grader's problem, said on the row.
            return All(GradeResult.Error, $"not graded: {e.GetType().Name}: {e.Message}");
        }

        return Rows(student, notebook, exercises, run, timeout);
    }

    /// <summary>The rows of one run: each kit check's verdict, or why its cell printed none.</summary>
    public static IReadOnlyList<GradeRow> Rows(string student, string notebook, IReadOnlyList<KitExercise> exercises, NotebookRun run, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(exercises);
        ArgumentNullException.ThrowIfNull(run);
        var lines = run.Notebook.ExerciseLines.ToList();
        var rows = new List<GradeRow>();
        foreach (var exercise in exercises)
        {
            var cell = run.Notebook.Cells.FirstOrDefault(c => c.Number == exercise.Cell);
            // Only the kit's check cell counts, and its last line for this exercise (a student's function called by
            // the check could print a line of its own before the check's verdict).
            var line = lines.LastOrDefault(l => l.Row.Cell == exercise.Cell && l.Row.Name == exercise.Name);
            bool cellTimedOut = cell is not null && run.TimedOut && cell == run.Notebook.Cells.LastOrDefault(c => c.IsCode);
            GradeRow Row(GradeResult result, string message) => new(student, notebook, exercise.Name, result, message);
            if (cell is null || cellTimedOut)
            {
                rows.Add(run.TimedOut
                    ? Row(GradeResult.TimedOut, $"time limit of {timeout.TotalSeconds:0} s reached (kernel ended) before the check ran to the end")
                    : Row(GradeResult.Error, "the check cell did not run"));
            }
            else if (cell.Failed || FailedBefore(run.Notebook, cell, exercises) is not null)
            {
                // A compile error or exception in the answer (its variables may then hold defaults the check judges).
                rows.Add(Row(GradeResult.Error, ErrorMessage(run.Notebook, cell, exercises)));
            }
            else if (line.Line is not null)
            {
                string message = line.Line[(line.Line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                rows.Add(Row(line.Row.Result switch { ExerciseResult.Right => GradeResult.Passed, ExerciseResult.Wrong => GradeResult.Failed, _ => GradeResult.NotAnswered }, message));
            }
            else
            {
                rows.Add(Row(GradeResult.Error, "the check printed no verdict"));
            }
        }

        return rows;
    }

    /// <summary>The error of a failed answer cell between the previous check and <paramref name="check"/>, else the check's own.</summary>
    private static string ErrorMessage(ExecutedNotebook notebook, ExecutedCell check, IReadOnlyList<KitExercise> exercises)
    {
        static string Errors(ExecutedCell c)
        {
            string text = string.Join(" ", c.Outputs.Where(o => o.Kind == OutputKind.Error).Select(o => o.Value)).ReplaceLineEndings(" ").Trim();
            return text.Length > 300 ? text[..297] + "..." : text;
        }

        var answer = FailedBefore(notebook, check, exercises);
        return answer is not null ? $"answer cell {answer.Number}: {Errors(answer)}" : $"check cell {check.Number}: {Errors(check)}";
    }

    /// <summary>The last failed cell between the previous check cell and <paramref name="check"/> (the answer cells feeding it).</summary>
    private static ExecutedCell? FailedBefore(ExecutedNotebook notebook, ExecutedCell check, IReadOnlyList<KitExercise> exercises)
    {
        int previous = exercises.Select(e => e.Cell).Where(n => n < check.Number).DefaultIfEmpty(0).Max();
        return notebook.Cells.LastOrDefault(c => c.Number > previous && c.Number < check.Number && c.IsCode && c.Failed);
    }

    /// <summary>A fresh copy of the kit's lib/ (library and data) and notebooks/data in <paramref name="runDir"/>: each run
    /// starts from the pristine kit, whatever an earlier submission's code wrote into its own copy.</summary>
    private static void PrepareRun(string kitDir, string runDir)
    {
        StudentKit.CopyTree(Path.Combine(kitDir, "lib"), Path.Combine(runDir, "lib"));
        string data = Path.Combine(kitDir, StudentKit.NotebooksFolder, "data");
        Directory.CreateDirectory(Path.Combine(runDir, StudentKit.NotebooksFolder));
        if (Directory.Exists(data))
        {
            StudentKit.CopyTree(data, Path.Combine(runDir, StudentKit.NotebooksFolder, "data"));
        }
    }
}
