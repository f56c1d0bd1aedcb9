using BatchNormNotebooks.Interactive;

namespace BatchNormNotebooks.Tests.Interactive;

/// <summary>Reads the verdict an exercise check prints: right, wrong, not answered (or "?" + the line).</summary>
internal static class ExerciseVerdicts
{
    public static string Of(Action check) => Read(ConsoleCapture.Of(check));

    /// <summary>The verdict of every line a check prints (checks with two parts print two lines).</summary>
    public static string[] All(Action check) => [.. ConsoleCapture.Of(check).Split('\n').Select(l => Read(l.TrimEnd('\r')))];

    public static string Read(string line) =>
        ExerciseLine.TryParse(line, out var result, out _) ? ExerciseLine.Text(result) : "?" + line;

    /// <summary>The line a check prints.</summary>
    public static string Line(Action check) => ConsoleCapture.Of(check);

    /// <summary>Asserts that the check prints ❌.</summary>
    public static void Wrong(Action check) => Assert.Equal("wrong", Of(check));

    /// <summary>Asserts that the check prints "not answered".</summary>
    public static void NotAnswered(Action check) => Assert.Equal("not answered", Of(check));
}
