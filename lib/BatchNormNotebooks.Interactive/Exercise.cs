using System.Globalization;

namespace BatchNormNotebooks.Interactive;

/// <summary>
/// Self-check for the exercises that end every notebook. A student writes the answer into the exercise cell
/// (which starts as <c>double.NaN</c> or <c>null</c>) and the check prints ✅ or ❌ with a hint — never the answer.
/// An unanswered exercise prints "not answered yet", so the notebook still runs top to bottom. Each exercise's
/// reference solution and a plausible wrong answer live in notebooks/solutions/NN-name.txt: the handout builder runs
/// the lecturer's handout with the solutions (every check must print ✅) and the tests run the wrong answers (❌).
/// </summary>
/// <remarks>
/// Notebooks do not call these directly: a check cell calls its notebook's exercise class in <c>Exercises/</c>, which
/// computes the expected value where the student cannot print it and passes it here.
/// </remarks>
/// <example><code>
/// // Exercises/EpsilonExercises.cs
/// public static void Damping(double answer) =>
///     Exercise.CheckDigits("3 · damping", answer, expected: Math.Sqrt(3e-3 / (3e-3 + Keras.Epsilon)), significantDigits: 3, hint: "…");
/// </code></example>
public static class Exercise
{
    /// <summary>Checks a number against the value the notebook computed, within an absolute tolerance.</summary>
    public static void Check(string name, double answer, double expected, double tolerance = 1e-6, string? hint = null)
    {
        if (double.IsNaN(answer))
        {
            Report(name, null, hint);
            return;
        }

        Report(name, Math.Abs(answer - expected) <= tolerance, hint, Shown(expected, tolerance));
    }

    /// <summary>
    /// Checks a number to the <paramref name="significantDigits"/> the question asks for: right when the answer is
    /// within half a unit of the last asked-for digit of <paramref name="expected"/> (e.g. 316.2 or 316.23 for
    /// 316.228 at 4 digits, but not 316.0). More digits than asked are fine.
    /// </summary>
    public static void CheckDigits(string name, double answer, double expected, int significantDigits, string? hint = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(significantDigits, 1);
        if (!double.IsFinite(expected))
        {
            throw new ArgumentException($"The expected value of exercise {name} is {expected}; the check needs a finite number.", nameof(expected));
        }

        if (double.IsNaN(answer))
        {
            Report(name, null, hint);
            return;
        }

        double magnitude = expected == 0 ? 0 : Math.Floor(Math.Log10(Math.Abs(expected)));
        double halfUnit = 0.5 * Math.Pow(10, magnitude - significantDigits + 1);
        Report(name, Math.Abs(answer - expected) <= halfUnit * (1 + 1e-9), hint, ShownDigits(expected, significantDigits));
    }

    /// <summary>Checks several numbers at once (e.g. a vector of means).</summary>
    public static void Check(string name, double[]? answer, double[] expected, double tolerance = 1e-6, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        if (answer is null || answer.Any(double.IsNaN))
        {
            Report(name, null, hint);
            return;
        }

        bool right = answer.Length == expected.Length && answer.Zip(expected).All(p => Math.Abs(p.First - p.Second) <= tolerance);
        Report(name, right, hint, "[" + string.Join(", ", expected.Select(e => Shown(e, tolerance))) + "]");
    }

    /// <summary>Checks a choice or a word (case and surrounding spaces ignored).</summary>
    public static void Check(string name, string? answer, string expected, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        if (string.IsNullOrWhiteSpace(answer))
        {
            Report(name, null, hint);
            return;
        }

        Report(name, string.Equals(answer.Trim(), expected.Trim(), StringComparison.OrdinalIgnoreCase), hint, expected.Trim());
    }

    /// <summary>Checks a yes/no answer.</summary>
    public static void Check(string name, bool? answer, bool expected, string? hint = null) =>
        Report(name, answer is null ? null : answer == expected, hint, expected ? "true" : "false");

    /// <summary>
    /// Prints the verdict line of exercise <paramref name="name"/>: ✅, ❌ with the hint, or "not answered yet" (null).
    /// A right answer's line names the expected value as <paramref name="expected"/> (at the precision the check asks,
    /// e.g. "✅ Exercise 1 · constant feature: right (316.2)."): only a student who already has it sees it, and the
    /// handout tests read it from the lecturer's run to prove that no students' file shows it.
    /// </summary>
    public static void Report(string name, bool? right, string? hint, string? expected = null)
    {
        var result = right switch
        {
            null => ExerciseResult.NotAnswered,
            true => ExerciseResult.Right,
            false => ExerciseResult.Wrong,
        };
        Console.WriteLine(ExerciseLine.Format(name, result, hint, expected));
    }

    /// <summary>
    /// <paramref name="expected"/> rounded to the decimals an absolute <paramref name="tolerance"/> resolves
    /// (tolerance 0.05 → one decimal, 0.5 → none; at most 6), e.g. 0.4123 within 0.002 → "0.412".
    /// </summary>
    public static string Shown(double expected, double tolerance)
    {
        int decimals = tolerance <= 0 ? 6 : Math.Clamp((int)Math.Ceiling(-Math.Log10(2 * tolerance)), 0, 6);
        return expected.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary><paramref name="expected"/> at <paramref name="significantDigits"/> significant digits (316.228, 4 → "316.2").</summary>
    public static string ShownDigits(double expected, int significantDigits)
    {
        if (expected == 0)
        {
            return "0";
        }

        int magnitude = (int)Math.Floor(Math.Log10(Math.Abs(expected)));
        int decimals = Math.Max(0, significantDigits - 1 - magnitude);
        double rounded = Math.Round(expected / Math.Pow(10, magnitude - significantDigits + 1)) * Math.Pow(10, magnitude - significantDigits + 1);
        return decimals > 15 ? rounded.ToString("G" + significantDigits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)
            : rounded.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }
}
