using System.Text.Json.Serialization;

namespace BatchNormNotebooks.Interactive;

/// <summary>What an exercise check found. Serialized as "right", "wrong", "not answered" (report.json).</summary>
public enum ExerciseResult
{
    /// <summary>The answer is still <c>double.NaN</c> or <c>null</c>: the check prints "… Exercise …: not answered yet".</summary>
    [JsonStringEnumMemberName("not answered")]
    NotAnswered,

    /// <summary>The check accepted the answer: "✅ Exercise …: right".</summary>
    [JsonStringEnumMemberName("right")]
    Right,

    /// <summary>The check rejected the answer: "❌ Exercise …: not quite", with a hint.</summary>
    [JsonStringEnumMemberName("wrong")]
    Wrong,
}

/// <summary>
/// The text protocol between the notebooks and the handout builder and grader: the line a check prints
/// (<see cref="Format"/>, called by <see cref="Exercise.Report"/>) and how the builder reads it back
/// (<see cref="TryParse"/>). A claim's line starts with <see cref="Claim.Mark"/>, a demonstration's with
/// <see cref="Claim.DemonstrationMark"/>.
/// </summary>
public static class ExerciseLine
{
    /// <summary>The start of a right answer's line.</summary>
    public const string RightMark = "✅ Exercise ";

    /// <summary>The start of a wrong answer's line.</summary>
    public const string WrongMark = "❌ Exercise ";

    /// <summary>The start of an unanswered exercise's line.</summary>
    public const string NotAnsweredMark = "… Exercise ";

    /// <summary>
    /// The verdict line of exercise <paramref name="name"/>: "✅ Exercise NAME: right (EXPECTED).", "❌ Exercise NAME:
    /// not quite. Hint: HINT" or "… Exercise NAME: not answered yet — …".
    /// </summary>
    /// <param name="name">The exercise's name, e.g. "1 · batch mean" (no colon).</param>
    /// <param name="result">The verdict.</param>
    /// <param name="hint">Shown after a wrong answer, if any.</param>
    /// <param name="expected">Shown after a right answer, if any.</param>
    public static string Format(string name, ExerciseResult result, string? hint = null, string? expected = null) => result switch
    {
        ExerciseResult.NotAnswered => $"{NotAnsweredMark}{name}: not answered yet — put your answer in the cell above and run both cells.",
        ExerciseResult.Right => expected is null ? $"{RightMark}{name}: right." : $"{RightMark}{name}: right ({expected}).",
        ExerciseResult.Wrong => $"{WrongMark}{name}: not quite.{(hint is null ? "" : " Hint: " + hint)}",
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, "Unknown exercise result."),
    };

    /// <summary>Reads a line printed by <see cref="Format"/>: its result and the exercise's name (up to the first colon).</summary>
    /// <returns>False for any other line.</returns>
    public static bool TryParse(string line, out ExerciseResult result, out string name)
    {
        ArgumentNullException.ThrowIfNull(line);
        (result, int start) = line.StartsWith(RightMark, StringComparison.Ordinal) ? (ExerciseResult.Right, RightMark.Length)
            : line.StartsWith(WrongMark, StringComparison.Ordinal) ? (ExerciseResult.Wrong, WrongMark.Length)
            : line.StartsWith(NotAnsweredMark, StringComparison.Ordinal) ? (ExerciseResult.NotAnswered, NotAnsweredMark.Length)
            : (default, -1);
        if (start < 0)
        {
            name = "";
            return false;
        }

        int colon = line.IndexOf(':', start);
        name = colon < 0 ? line[start..] : line[start..colon];
        return true;
    }

    /// <summary>The result's report text: "right", "wrong" or "not answered".</summary>
    public static string Text(ExerciseResult result) => result switch
    {
        ExerciseResult.Right => "right",
        ExerciseResult.Wrong => "wrong",
        ExerciseResult.NotAnswered => "not answered",
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, "Unknown exercise result."),
    };
}
