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

    /// <summary>Column 2 holds 0.01, 0.03, 0.02, 0.04: mean 0.025, biased variance 1.25e-4.</summary>
    private static Matrix<float> ThreeUnits() => Matrix<float>.FromRows([[1f, 0.1f, 0.01f], [3f, 0.3f, 0.03f], [2f, 0.2f, 0.02f], [4f, 0.4f, 0.04f]]);

    [Theory]
    [InlineData(2.9e-5, "right")]         // 1.25e-4·(1/0.81 − 1) = 1.25e-4·0.234568 = 2.9321e-5
    [InlineData(1.4e-5, "wrong")]         // 1.25e-4·(1/0.9 − 1): forgets to square 0.9
    [InlineData(3.9e-5, "wrong")]         // the unbiased variance 1.667e-4: 3.9095e-5
    [InlineData(double.NaN, "not answered")]
    public void EpsilonForDamping(double answer, string verdict) =>
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => EpsilonExercises.EpsilonForDamping(answer, ThreeUnits())));

    [Fact]
    public void EpsilonForDamping_refuses_another_matrix() =>
        Assert.Throws<ArgumentException>(() => EpsilonExercises.EpsilonForDamping(1, new Matrix<float>(4, 2)));

    [Theory]
    // x = (1.00, 1.02, 0.99, 1.01): μ = 1.005, σ² = 1.25e-4; with ε = 1e-3, 1/√(1.125e-3) = 29.814, x̂₀ = −0.14907,
    // ∂x̂₀/∂x₀ = 29.814·(1 − 1/4 − x̂₀²/4) = 22.195.
    [InlineData(22.2, "right")]
    [InlineData(60.6, "wrong")]       // the same with PyTorch's ε = 1e-5: 60.565
    [InlineData(29.8, "wrong")]       // only the diagonal term 1/√(σ² + ε)
    [InlineData(double.NaN, "not answered")]
    public void GradientEntry(double answer, string verdict) =>
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => EpsilonExercises.GradientEntry(answer)));

    [Theory]
    [InlineData(60.6, "PyTorch")]
    [InlineData(29.8, "μ_B and σ²_B")]
    public void GradientEntry_names_the_mistake(double answer, string inHint) =>
        Assert.Contains(inHint, ConsoleCapture.Of(() => EpsilonExercises.GradientEntry(answer)), StringComparison.Ordinal);

    [Theory]
    // [256, 512) has float32 spacing 2^-15 = 3.05e-5, half of it above 1e-5; [128, 256) has 2^-16, half 7.6e-6 < 1e-5.
    [InlineData(256, 3.1e-5, "right")]
    [InlineData(256, 3.05e-5, "right")]
    [InlineData(128, 1.5e-5, "wrong")]
    [InlineData(256, 1.2e-7, "wrong")]
    [InlineData(1000, 6.1e-5, "wrong")]
    [InlineData(double.NaN, 3.1e-5, "not answered")]
    [InlineData(256, double.NaN, "not answered")]
    public void Float32Vanishing(double variance, double spacing, string verdict) =>
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => EpsilonExercises.Float32Vanishing(variance, spacing)));
}
