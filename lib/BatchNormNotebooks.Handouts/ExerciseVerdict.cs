using BatchNormNotebooks.Interactive;

namespace BatchNormNotebooks.Handouts;

/// <summary>
/// Proves the exercises mechanically: in the lecturer's run every check prints ✅ (the reference solutions pass), in
/// the wrong-answers run every check prints ❌ (each check rejects a plausible mistake), in the students' run every
/// check prints "not answered". Anything else stops the build, naming notebook and cell.
/// </summary>
public static class ExerciseVerdict
{
    /// <summary>The result every check must print in <paramref name="variant"/>.</summary>
    public static ExerciseResult Expected(Variant variant) => variant switch
    {
        Variant.Lecturer => ExerciseResult.Right,
        Variant.Wrong => ExerciseResult.Wrong,
        _ => ExerciseResult.NotAnswered,
    };

    /// <summary>Throws if a check of <paramref name="notebook"/> printed something other than the variant's result.</summary>
    /// <exception cref="CellFailedException">A check disagrees, or fewer checks ran than the solutions file has blocks.</exception>
    public static void Verify(ExecutedNotebook notebook, ExerciseSolutions solutions, IReadOnlyList<CellTiming> timings)
    {
        var expected = Expected(notebook.Variant);
        var rows = notebook.Exercises.ToList();
        var bad = rows.FirstOrDefault(r => r.Result != expected);
        if (bad is not null)
        {
            string what = notebook.Variant switch
            {
                Variant.Lecturer => "its reference solution (notebooks/solutions) does not pass the check",
                Variant.Wrong => "the check accepts the planted wrong answer (notebooks/solutions)",
                _ => "the unanswered exercise is not reported as not answered",
            };
            throw new CellFailedException(notebook.Name + ".dib", bad.Cell, $"exercise {bad.Name} printed '{ExerciseLine.Text(bad.Result)}' in the {notebook.Variant.ToString().ToLowerInvariant()} run: {what}.", timings);
        }

        if (notebook.Variant != Variant.Students && rows.Count < solutions.Solutions.Count)
        {
            throw new CellFailedException(notebook.Name + ".dib", notebook.Cells.Count, $"{solutions.Solutions.Count} exercise solution(s) but only {rows.Count} check(s) printed a result.", timings);
        }
    }
}
