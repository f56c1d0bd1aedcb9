using System.Globalization;

namespace BatchNormNotebooks.Interactive;

/// <summary>
/// One verdict for an exercise with several parts (a yes/no or a name paired with a number, a prediction paired with
/// a measurement): each part is right, wrong or unanswered (null), and <see cref="Report"/> prints one line — ✅ only
/// when every part is right, "not answered" while any part is open — naming the expected parts on a right answer.
/// The notebooks' exercise classes (<see cref="MovingAverageExercises"/>, …) compute the expected values inside the
/// library and use these parts, so no check cell shows an expected value.
/// </summary>
internal static class ExerciseParts
{
    /// <summary>|answer − expected| ≤ tolerance; null when the answer is NaN (not answered).</summary>
    public static bool? Within(double answer, double expected, double tolerance) =>
        double.IsNaN(answer) ? null : Math.Abs(answer - expected) <= tolerance;

    /// <summary>
    /// Right to the asked <paramref name="significantDigits"/> of <paramref name="expected"/> (within half a unit of
    /// the last asked digit, as <see cref="Exercise.CheckDigits"/>); null when the answer is NaN.
    /// </summary>
    public static bool? Digits(double answer, double expected, int significantDigits)
    {
        if (double.IsNaN(answer))
        {
            return null;
        }

        double magnitude = expected == 0 ? 0 : Math.Floor(Math.Log10(Math.Abs(expected)));
        double halfUnit = 0.5 * Math.Pow(10, magnitude - significantDigits + 1);
        return Math.Abs(answer - expected) <= halfUnit * (1 + 1e-9);
    }

    /// <summary>Right when every entry is within <paramref name="tolerance"/>; null when the array is null or holds a NaN.</summary>
    public static bool? Within(double[]? answer, IReadOnlyList<double> expected, double tolerance)
    {
        if (answer is null || answer.Any(double.IsNaN))
        {
            return null;
        }

        return answer.Length == expected.Count && answer.Zip(expected).All(p => Math.Abs(p.First - p.Second) <= tolerance);
    }

    /// <summary>The answered yes/no against the expected one; null when not answered.</summary>
    public static bool? Same(bool? answer, bool expected) => answer is null ? null : answer == expected;

    /// <summary>The answered name against the expected one (case and surrounding spaces ignored); null when blank.</summary>
    public static bool? Same(string? answer, string expected) =>
        string.IsNullOrWhiteSpace(answer) ? null : string.Equals(answer.Trim(), expected.Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Prints one verdict for all <paramref name="parts"/>: not answered while any is null, right when all are right,
    /// otherwise wrong with <paramref name="hint"/>. A right answer's line names <paramref name="shown"/>.
    /// </summary>
    public static void Report(string name, IReadOnlyList<bool?> parts, string hint, string shown)
    {
        bool? right = parts.Any(p => p is null) ? null : parts.All(p => p == true);
        Exercise.Report(name, right, hint, shown);
    }

    /// <summary>A number as the check shows it: <paramref name="significantDigits"/> significant digits.</summary>
    public static string Digits(double value, int significantDigits) => Exercise.ShownDigits(value, significantDigits);

    /// <summary>Numbers joined for a ✅ line, e.g. "[0.376, 0.188]".</summary>
    public static string List(IEnumerable<string> shown) => "[" + string.Join(", ", shown) + "]";

    /// <summary>Invariant-culture text of a whole number.</summary>
    public static string Whole(long value) => value.ToString(CultureInfo.InvariantCulture);
}
