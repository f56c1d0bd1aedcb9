namespace BatchNormNotebooks.Tests.Interactive;

/// <summary>Reads the verdict an exercise check prints: right, wrong, not answered (or "?" + the line).</summary>
internal static class ExerciseVerdicts
{
    public static string Of(Action check) => Read(ConsoleCapture.Of(check));

    /// <summary>The verdict of every line a check prints (checks with two parts print two lines).</summary>
    public static string[] All(Action check) => [.. ConsoleCapture.Of(check).Split('\n').Select(l => Read(l.TrimEnd('\r')))];

    public static string Read(string line) =>
        line.StartsWith("✅", StringComparison.Ordinal) ? "right"
        : line.StartsWith("❌", StringComparison.Ordinal) ? "wrong"
        : line.StartsWith("… Exercise", StringComparison.Ordinal) ? "not answered" : "?" + line;
}
