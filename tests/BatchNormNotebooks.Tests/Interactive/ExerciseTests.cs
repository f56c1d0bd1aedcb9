using BatchNormNotebooks.Interactive;

namespace BatchNormNotebooks.Tests.Interactive;

/// <summary>Exercise checks print ✅, ❌ with the hint, or "not answered"; CheckDigits accepts exactly the asked digits.</summary>
[Collection(nameof(ConsoleCollection))]
public class ExerciseTests
{
    private static string Verdict(Action check)
    {
        string line = ConsoleCapture.Of(check);
        return line.StartsWith("✅", StringComparison.Ordinal) ? "right"
            : line.StartsWith("❌", StringComparison.Ordinal) ? "wrong"
            : line.StartsWith("… Exercise", StringComparison.Ordinal) ? "not answered" : "?" + line;
    }

    [Theory]
    // 316.228 at 4 significant digits: the last asked digit is the tenths, half a unit is 0.05.
    [InlineData(316.2, 4, "right")]
    [InlineData(316.23, 4, "right")]
    [InlineData(316.27, 4, "right")]
    [InlineData(316.28, 4, "wrong")]
    [InlineData(316.0, 4, "wrong")]
    [InlineData(316.0, 3, "right")]
    [InlineData(320.0, 2, "right")]
    [InlineData(310.0, 2, "wrong")]
    [InlineData(double.NaN, 4, "not answered")]
    public void CheckDigits_accepts_answers_within_half_a_unit_of_the_last_asked_digit(double answer, int digits, string verdict) =>
        Assert.Equal(verdict, Verdict(() => Exercise.CheckDigits("1", answer, 316.228, digits)));

    [Theory]
    [InlineData(0.00316, 3, "right")]
    [InlineData(0.003165, 3, "right")]
    [InlineData(0.00317, 3, "wrong")]
    [InlineData(-0.00316, 3, "wrong")]
    public void CheckDigits_works_below_one(double answer, int digits, string verdict) =>
        Assert.Equal(verdict, Verdict(() => Exercise.CheckDigits("2", answer, 0.0031623, digits)));

    [Fact]
    public void CheckDigits_rejects_a_non_finite_expected_value_and_zero_digits()
    {
        Assert.Throws<ArgumentException>(() => Exercise.CheckDigits("3", 1, double.PositiveInfinity, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Exercise.CheckDigits("3", 1, 1, 0));
    }

    [Fact]
    public void A_wrong_answer_prints_its_hint_and_other_checks_give_their_verdicts()
    {
        string wrong = ConsoleCapture.Of(() => Exercise.Check("4", 1.5, 2.0, 0.1, hint: "look at the mean"));
        Assert.Equal("❌ Exercise 4: not quite. Hint: look at the mean", wrong);
        Assert.Equal("right", Verdict(() => Exercise.Check("5", " Adam ", "adam")));
        Assert.Equal("not answered", Verdict(() => Exercise.Check("5", "  ", "adam")));
        Assert.Equal("wrong", Verdict(() => Exercise.Check("6", [1.0, 2.0], [1.0, 2.1], 0.05)));
        Assert.Equal("wrong", Verdict(() => Exercise.Check("6", [1.0], [1.0, 2.0])));
        Assert.Equal("not answered", Verdict(() => Exercise.Check("6", [double.NaN, 2.0], [1.0, 2.0])));
        Assert.Equal("right", Verdict(() => Exercise.Check("7", (bool?)false, false)));
        Assert.Equal("not answered", Verdict(() => Exercise.Check("7", (bool?)null, false)));
    }

    [Theory]
    [InlineData(316.228, 4, "316.2")]
    [InlineData(31.6228, 3, "31.6")]
    [InlineData(0.0031623, 3, "0.00316")]
    [InlineData(6.103515625e-5, 2, "0.000061")]
    [InlineData(1255.4, 2, "1300")]
    [InlineData(-0.4562, 2, "-0.46")]
    public void A_right_answer_names_the_expected_value_at_the_asked_digits(double expected, int digits, string shown) =>
        Assert.Equal($"✅ Exercise 8: right ({shown}).", ConsoleCapture.Of(() => Exercise.CheckDigits("8", expected, expected, digits)));

    [Fact]
    public void A_right_answer_names_the_expected_value_at_the_tolerance_and_a_wrong_one_does_not()
    {
        Assert.Equal("✅ Exercise 9: right (0.412).", ConsoleCapture.Of(() => Exercise.Check("9", 0.413, 0.4123, tolerance: 0.002)));
        Assert.Equal("✅ Exercise 9: right (1200).", ConsoleCapture.Of(() => Exercise.Check("9", 1200, 1200, tolerance: 0.5)));
        Assert.Equal("✅ Exercise 9: right ([1.5, 2.0]).", ConsoleCapture.Of(() => Exercise.Check("9", [1.5, 2.0], [1.5, 2.0], 0.05)));
        Assert.Equal("✅ Exercise 9: right (Adam).", ConsoleCapture.Of(() => Exercise.Check("9", "adam", " Adam ")));
        Assert.Equal("✅ Exercise 9: right (false).", ConsoleCapture.Of(() => Exercise.Check("9", (bool?)false, false)));
        Assert.DoesNotContain("0.41", ConsoleCapture.Of(() => Exercise.Check("9", 0.5, 0.4123, tolerance: 0.002)), StringComparison.Ordinal);
    }
}
