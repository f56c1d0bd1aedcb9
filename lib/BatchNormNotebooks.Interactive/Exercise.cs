using System.Globalization;

namespace BatchNormNotebooks.Interactive;

/// <summary>
/// Self-check for the exercises that end every notebook. A student writes the answer into the exercise cell
/// (which starts as <c>double.NaN</c> or <c>null</c>) and the check prints ✅ or ❌ with a hint — never the answer.
/// An unanswered exercise prints "not answered yet", so the notebook still runs top to bottom.
/// </summary>
/// <example><code>
/// double answer1 = double.NaN; // μ_B of z11 for rows 2–5
/// Exercise.Check("1 · batch mean", answer1, expected: muB, tolerance: 1e-3, hint: "Average the four z values.");
/// </code></example>
public static class Exercise
{
    /// <summary>Checks a number against the value the notebook computed, within an absolute tolerance.</summary>
    /// <returns>true if right, false if wrong, null if not answered (NaN).</returns>
    public static bool? Check(string name, double answer, double expected, double tolerance = 1e-6, string? hint = null)
    {
        if (double.IsNaN(answer))
        {
            return Report(name, null, hint);
        }

        return Report(name, Math.Abs(answer - expected) <= tolerance, hint);
    }

    /// <summary>Checks several numbers at once (e.g. a vector of means).</summary>
    public static bool? Check(string name, double[]? answer, double[] expected, double tolerance = 1e-6, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        if (answer is null || answer.Any(double.IsNaN))
        {
            return Report(name, null, hint);
        }

        bool right = answer.Length == expected.Length && answer.Zip(expected).All(p => Math.Abs(p.First - p.Second) <= tolerance);
        return Report(name, right, hint);
    }

    /// <summary>Checks a choice or a word (case and surrounding spaces ignored).</summary>
    public static bool? Check(string name, string? answer, string expected, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        if (string.IsNullOrWhiteSpace(answer))
        {
            return Report(name, null, hint);
        }

        return Report(name, string.Equals(answer.Trim(), expected.Trim(), StringComparison.OrdinalIgnoreCase), hint);
    }

    /// <summary>Checks a yes/no answer.</summary>
    public static bool? Check(string name, bool? answer, bool expected, string? hint = null) =>
        Report(name, answer is null ? null : answer == expected, hint);

    private static bool? Report(string name, bool? right, string? hint)
    {
        string line = right switch
        {
            null => $"… Exercise {name}: not answered yet — put your answer in the cell above and run both cells.",
            true => $"✅ Exercise {name}: right.",
            false => $"❌ Exercise {name}: not quite.{(hint is null ? "" : " Hint: " + hint)}",
        };
        Console.WriteLine(line.ToString(CultureInfo.InvariantCulture));
        return right;
    }
}
