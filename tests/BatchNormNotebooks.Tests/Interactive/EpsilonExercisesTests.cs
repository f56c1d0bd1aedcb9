using BatchNormNotebooks.Interactive;

namespace BatchNormNotebooks.Tests.Interactive;

/// <summary>
/// Notebook 04's exercise checks: the reference answer passes, the planted mistake fails with its pointed hint, NaN is
/// "not answered". Expected values are worked out by hand (in the comments), not by the code under test.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public class EpsilonExercisesTests
{
    [Theory]
    // (a) 0.8⁴ + 0.2⁴ = 0.4096 + 0.0016 = 0.4112; (b) 0.8²⁰ + 0.2²⁰ = 0.01153 ≥ 1 %, 0.8²¹ + 0.2²¹ = 0.00922 < 1 %: m = 21.
    [InlineData(0.411, 21, "right")]
    [InlineData(0.410, 21, "wrong")]      // 0.8⁴ only: forgets the all-ones batch
    [InlineData(0.411, 20, "wrong")]      // at m = 20 still 1.15 %
    [InlineData(0.411, double.NaN, "not answered")]
    public void ConstantBatches(double fraction, double batchSize, string verdict) =>
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => EpsilonExercises.ConstantBatches(fraction, batchSize)));

    [Fact]
    public void ConstantBatches_points_at_the_all_ones_batch() =>
        Assert.Contains("every row is 1", ConsoleCapture.Of(() => EpsilonExercises.ConstantBatches(0.4096, 21)), StringComparison.Ordinal);

    [Theory]
    [InlineData(1.332, "right")]      // (0.015 + 0.0316228)/√(2.25e-4 + 1e-3) = 1.33208
    [InlineData(1.380, "wrong")]      // σ = 0.02, the old grid point
    [InlineData(1.342, "wrong")]      // the nearest grid point of cell 15, σ = 10^-1.8
    [InlineData(1.414, "wrong")]      // √2, the peak of the ratio
    [InlineData(double.NaN, "not answered")]
    public void Shortcut(double answer, string verdict) =>
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => EpsilonExercises.Shortcut(answer)));

    /// <summary>Exercise 3's expected ε, written here: x₂/100 of the 64 rows in float32, biased variance, σ²(1/0.81 − 1).</summary>
    private static (double Right, double NotSquared, double Unbiased) DampingEpsilons()
    {
        double[] x = [.. PlacementData.Generate(64, seed: 4).X.Column(1).Select(v => (double)(float)(v / 100))];
        double mean = x.Sum() / x.Length, ss = x.Sum(v => (v - mean) * (v - mean));
        return (ss / x.Length * (1 / 0.81 - 1), ss / x.Length * (1 / 0.9 - 1), ss / (x.Length - 1) * (1 / 0.81 - 1));
    }

    /// <summary>std(x̂) = σ/√(σ² + ε) for ε rounded to 2 significant digits, in double (the layer runs in float32).</summary>
    private static double StdWithRounded(double eps)
    {
        double[] x = [.. PlacementData.Generate(64, seed: 4).X.Column(1).Select(v => (double)(float)(v / 100))];
        double mean = x.Sum() / x.Length, variance = x.Sum(v => (v - mean) * (v - mean)) / x.Length;
        return Math.Sqrt(variance / (variance + Round2(eps)));
    }

    private static double Round2(double v) => Math.Round(v, 2 - (int)Math.Floor(Math.Log10(v)) - 1);

    [Theory]
    [InlineData("right", "right")]
    [InlineData("not squared", "wrong")]      // forgets to square 0.9
    [InlineData("unbiased", "wrong")]         // divides by m − 1
    [InlineData("x1/100", "wrong")]           // section 3's printed x1/100 variance 2.83e-4: 6.6e-5
    public void EpsilonForDamping(string which, string verdict)
    {
        var (right, notSquared, unbiased) = DampingEpsilons();
        double answer = which switch { "right" => right, "not squared" => notSquared, "unbiased" => unbiased, _ => 6.6e-5 };
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => EpsilonExercises.EpsilonForDamping(Round2(answer), StdWithRounded(right))));
    }

    [Fact]
    public void EpsilonForDamping_b_is_measured_with_the_rounded_epsilon_not_assumed_to_be_0_9()
    {
        double right = DampingEpsilons().Right, measured = StdWithRounded(right);
        Assert.True(Math.Abs(measured - 0.9) > 1e-3, $"rounding ε should move std(x̂) off 0.9 by more than the tolerance: {measured}");
        Assert.Equal("right", ExerciseVerdicts.Of(() => EpsilonExercises.EpsilonForDamping(Round2(right), Math.Round(measured, 3))));
        string line = ConsoleCapture.Of(() => EpsilonExercises.EpsilonForDamping(Round2(right), 0.9));
        Assert.Equal("wrong", ExerciseVerdicts.Read(line));
        Assert.Contains("rounded", line, StringComparison.Ordinal);
        Assert.Equal("wrong", ExerciseVerdicts.Of(() => EpsilonExercises.EpsilonForDamping(Round2(right), Math.Sqrt(1 / 1.0))));
    }

    [Fact]
    public void EpsilonForDamping_not_answered()
    {
        Assert.Equal("not answered", ExerciseVerdicts.Of(() => EpsilonExercises.EpsilonForDamping(double.NaN, double.NaN)));
        Assert.Equal("not answered", ExerciseVerdicts.Of(() => EpsilonExercises.EpsilonForDamping(Round2(DampingEpsilons().Right), double.NaN)));
    }

    [Fact]
    public void DampingColumn_is_x2_over_100_of_the_64_rows()
    {
        var rows = PlacementData.Generate(64, seed: 4).X;
        float[] column = EpsilonExercises.DampingColumn();
        Assert.Equal(64, column.Length);
        Assert.Equal((float)(rows[5, 1] / 100), column[5]);
    }

    /// <summary>x̂₀ of (1.00, 1.02, 0.99, 1.01) with x₀ moved by <paramref name="shift"/>, written out here.</summary>
    private static double XHat0(double shift, double eps)
    {
        double x0 = 1.00 + shift, mean = (x0 + 1.02 + 0.99 + 1.01) / 4;
        double variance = (((x0 - mean) * (x0 - mean)) + ((1.02 - mean) * (1.02 - mean)) + ((0.99 - mean) * (0.99 - mean)) + ((1.01 - mean) * (1.01 - mean))) / 4;
        return (x0 - mean) / Math.Sqrt(variance + eps);
    }

    [Theory]
    // x = (1.00, 1.02, 0.99, 1.01): μ = 1.005, σ² = 1.25e-4; with ε = 1e-3, 1/√(1.125e-3) = 29.814, x̂₀ = −0.14907,
    // ∂x̂₀/∂x₀ = 29.814·(1 − 1/4 − x̂₀²/4) = 22.195.
    [InlineData(1e-6, 1e-3, double.NaN, "right")]       // the centred difference itself
    [InlineData(1e-6, 1e-3, 22.2, "right")]             // rounded to 3 digits
    [InlineData(1e-6, 1e-5, double.NaN, "wrong")]       // PyTorch's ε: 60.565
    [InlineData(1e-6, 1e-3, 29.8, "wrong")]             // only the diagonal term, not the quotient of the nudged values
    [InlineData(0, 1e-3, 22.2, "wrong")]                // no nudge
    [InlineData(0.5, 1e-3, double.NaN, "wrong")]        // far too large a nudge
    public void GradientEntry(double h, double eps, double answerOrQuotient, string verdict)
    {
        double plus = XHat0(h, eps), minus = XHat0(-h, eps);
        double answer = double.IsNaN(answerOrQuotient) ? (plus - minus) / (2 * h) : answerOrQuotient;
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => EpsilonExercises.GradientEntry(answer, h, plus, minus)));
    }

    [Fact]
    public void GradientEntry_names_PyTorchs_epsilon_and_is_not_answered_while_a_part_is_NaN()
    {
        double h = 1e-6, plus = XHat0(h, 1e-5), minus = XHat0(-h, 1e-5);
        Assert.Contains("PyTorch", ConsoleCapture.Of(() => EpsilonExercises.GradientEntry((plus - minus) / (2 * h), h, plus, minus)), StringComparison.Ordinal);
        Assert.Equal("not answered", ExerciseVerdicts.Of(() => EpsilonExercises.GradientEntry(22.2, 1e-6, double.NaN, XHat0(-1e-6, 1e-3))));
    }

    [Theory]
    // ε = 3e-6: [64, 128) has float32 spacing 2^-17 = 7.63e-6, half 3.81e-6 > 3e-6; [32, 64) has 2^-18, half 1.9e-6 < 3e-6.
    // At 64 an exact half spacing 2^-18 ties to the even 64, so the smallest change is the float just above 2^-18 = 3.8147e-6.
    // 64f + 2^-18 == 64f (the tie goes to the even 64), so (c) is false; the tie slip answers (b) with 2^-18 = 3.8e-6 and (c) true.
    [InlineData(64, 3.8e-6, false, "right")]
    [InlineData(64, 3.8147e-6, true, "wrong")]    // the tie slip: passes (b) at 2 digits, fails (c)
    [InlineData(64, 7.6e-6, false, "wrong")]      // the spacing, not the half that rounding needs
    [InlineData(32, 1.9e-6, false, "wrong")]
    [InlineData(256, 3.1e-5, false, "wrong")]     // PyTorch's 1e-5, the old exercise
    [InlineData(double.NaN, 3.8e-6, false, "not answered")]
    [InlineData(64, double.NaN, false, "not answered")]
    [InlineData(64, 3.8e-6, null, "not answered")]
    public void Float32Vanishing(double variance, double change, bool? tieChanges, string verdict) =>
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => EpsilonExercises.Float32Vanishing(variance, change, tieChanges)));

    [Fact]
    public void Float32Vanishing_points_at_the_tie_to_even() =>
        Assert.Contains("tie", ConsoleCapture.Of(() => EpsilonExercises.Float32Vanishing(64, 3.8e-6, true)), StringComparison.Ordinal);

    [Fact]
    public void Float32Vanishing_points_at_rounding_to_the_nearest_float() =>
        Assert.Contains("rounds to the nearest", ConsoleCapture.Of(() => EpsilonExercises.Float32Vanishing(64, 7.6e-6, false)), StringComparison.Ordinal);
}
