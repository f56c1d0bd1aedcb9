using BatchNormNotebooks.Interactive;

namespace BatchNormNotebooks.Tests.Interactive;

/// <summary>The exercise line protocol between the notebooks' checks and the handout builder and grader.</summary>
[Collection(nameof(ConsoleCollection))]
public class ExerciseLineTests
{
    [Theory]
    [InlineData(ExerciseResult.Right, null, "316.2", "✅ Exercise 1 · x: right (316.2).")]
    [InlineData(ExerciseResult.Right, null, null, "✅ Exercise 1 · x: right.")]
    [InlineData(ExerciseResult.Wrong, "look at ε", "316.2", "❌ Exercise 1 · x: not quite. Hint: look at ε")]
    [InlineData(ExerciseResult.Wrong, null, null, "❌ Exercise 1 · x: not quite.")]
    [InlineData(ExerciseResult.NotAnswered, "look at ε", "316.2", "… Exercise 1 · x: not answered yet — put your answer in the cell above and run both cells.")]
    public void Format_prints_the_verdict_line_and_TryParse_reads_back_result_and_name(ExerciseResult result, string? hint, string? expected, string line)
    {
        Assert.Equal(line, ExerciseLine.Format("1 · x", result, hint, expected));
        Assert.True(ExerciseLine.TryParse(line, out var read, out string name));
        Assert.Equal((result, "1 · x"), (read, name));
    }

    [Theory]
    [InlineData("✓ the loss falls (3.1× ≥ 3×)")]
    [InlineData("≡ the identity holds")]
    [InlineData("Exercise 1 · x: right.")]
    [InlineData("")]
    public void TryParse_refuses_any_other_line(string line) => Assert.False(ExerciseLine.TryParse(line, out _, out _));

    [Fact]
    public void Exercise_Report_prints_the_protocols_line() =>
        Assert.Equal("❌ Exercise 2 · y: not quite. Hint: h", ConsoleCapture.Of(() => Exercise.Report("2 · y", false, "h", "9")));

    [Theory]
    [InlineData(ExerciseResult.Right, "\"right\"")]
    [InlineData(ExerciseResult.Wrong, "\"wrong\"")]
    [InlineData(ExerciseResult.NotAnswered, "\"not answered\"")]
    public void The_report_text_is_the_same_in_Text_and_in_json(ExerciseResult result, string json)
    {
        var options = new System.Text.Json.JsonSerializerOptions { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase) } };
        Assert.Equal(json, System.Text.Json.JsonSerializer.Serialize(result, options));
        Assert.Equal(json.Trim('"'), ExerciseLine.Text(result));
    }
}
