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
    [InlineData(223.6, "right")]      // 1/√(1e-5 + 1e-5) = 223.607
    [InlineData(316.2, "wrong")]      // 1/√ε, the constant feature's factor
    [InlineData(double.NaN, "not answered")]
    public void VarianceAtEpsilon(double answer, string verdict) =>
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => EpsilonExercises.VarianceAtEpsilon(answer)));

    [Fact]
    public void VarianceAtEpsilon_points_at_the_constant_feature_mix_up() =>
        Assert.Contains("constant feature", ConsoleCapture.Of(() => EpsilonExercises.VarianceAtEpsilon(316.2)), StringComparison.Ordinal);

    [Theory]
    [InlineData(1.380, "right")]      // (0.02 + 0.0316228)/√(4e-4 + 1e-3) = 1.37968
    [InlineData(1.414, "wrong")]      // √2, the peak of the ratio
    [InlineData(double.NaN, "not answered")]
    public void Shortcut(double answer, string verdict) =>
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => EpsilonExercises.Shortcut(answer)));

    [Theory]
    [InlineData(0.866, "right")]      // √(3e-3/4e-3) = 0.86603
    [InlineData(1.0, "wrong")]        // forgets ε
    [InlineData(double.NaN, "not answered")]
    public void Damping(double answer, string verdict) =>
        Assert.Equal(verdict, ExerciseVerdicts.Of(() => EpsilonExercises.Damping(answer)));

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
