using BatchNormNotebooks.Interactive;
using static BatchNormNotebooks.Tests.Interactive.ExerciseVerdicts;

namespace BatchNormNotebooks.Tests.Interactive;

/// <summary>
/// Notebook 08's exercise checks: the reference answer prints ✅ with the expected value, a planted mistake ❌, an
/// unanswered one "not answered". Literals are worked out by hand (exercise 3's from the theory of Adam's first step,
/// with the check's own tolerance as slack), not by the exercise's code.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public class WhatBatchNormDoesExercisesTests
{
    [Fact]
    public void Saturated_share()
    {
        // atanh(0.99) = ½ ln(1.99/0.01) = ½ ln 199 = 2.6467; 2·(1 − Φ(2.6467)) = 2·0.004065 = 0.00813
        Assert.Equal("✅ Exercise 1 · saturated share of a standard normal layer: right (0.0081).", Line(() => WhatBatchNormDoesExercises.SaturatedShare(0.00813)));
        Wrong(() => WhatBatchNormDoesExercises.SaturatedShare(0.32));     // 0.99 applied to z: 2·(1 − Φ(0.99)) = 0.322
        Wrong(() => WhatBatchNormDoesExercises.SaturatedShare(0.036));    // the notebook's threshold 0.97 instead of 0.99
        Wrong(() => WhatBatchNormDoesExercises.SaturatedShare(0.0041));   // one tail only
        NotAnswered(() => WhatBatchNormDoesExercises.SaturatedShare(double.NaN));
    }

    // A run whose layers' update-to-data ratios are 0 for 10 steps, then constant for 50: the late means are the constants.
    private static DiagnosticRun RunWithLateRatios(params double[] late)
    {
        var run = new DiagnosticRun();
        foreach (double r in late)
        {
            run.UpdateRatio.Add([.. Enumerable.Repeat(0.0, 10), .. Enumerable.Repeat(r, 50)]);
        }

        return run;
    }

    [Fact]
    public void Ratio_target_is_set_by_the_highest_of_layers_2_to_5_and_moves_layer_1_as_much()
    {
        var run = RunWithLateRatios(-1.9, -2.25, -2.3, -2.4, -2.5);
        // The highest of layers 2–5 is −2.25: log10(η'/0.1) = −0.75, η' = 0.1·10^−0.75 = 0.0177828; layer 1: −1.9 − 0.75 = −2.65
        Assert.Equal("✅ Exercise 2 · one η for layers 2–5, and layer 1 at it: right (0.01778, -2.6500).",
            Line(() => WhatBatchNormDoesExercises.RatioTarget(0.0178, -2.65, run, 0.1)));
        Assert.StartsWith("✅", Line(() => WhatBatchNormDoesExercises.RatioTarget(0.0182, -2.64, run, 0.1)), StringComparison.Ordinal);   // the printed-decimals slack
        // The mean of layers 2–5, −2.3625, brought to −3: η' = 0.1·10^−0.6375 = 0.0230, layer 1 −2.5375
        Wrong(() => WhatBatchNormDoesExercises.RatioTarget(0.0230, -2.5375, run, 0.1));
        Wrong(() => WhatBatchNormDoesExercises.RatioTarget(0.0178, -2.68, run, 0.1));
        Wrong(() => WhatBatchNormDoesExercises.RatioTarget(0.0190, -2.65, run, 0.1));    // 7 % off
        NotAnswered(() => WhatBatchNormDoesExercises.RatioTarget(double.NaN, -2.65, run, 0.1));
        NotAnswered(() => WhatBatchNormDoesExercises.RatioTarget(0.0178, double.NaN, run, 0.1));
        Assert.Throws<ArgumentException>(() => WhatBatchNormDoesExercises.RatioTarget(0.0178, -2.65, RunWithLateRatios(-2), 0.1));
    }

    private static readonly DiagnosticSetup Setup = new(Hidden: 16, Depth: 3, Steps: 200, BatchSize: 32, LearningRate: 0.1);

    [Fact]
    public void Adams_first_step_falls_one_decade_per_decade_of_gain()
    {
        var moons = TwoMoons.Generate(200, seed: 5, noise: 0.15);
        // Theory: Adam's bias-corrected first step is η·∇/(|∇| + ε) = ±η per entry whatever ∇'s scale, so std(ΔW) ≈ η, while
        // std(W) = g/√16: slope −1, and at g = 10 the ratio is log10(0.001·4/10) = −3.398 (±0.05 covers the sample stds).
        string right = Line(() => WhatBatchNormDoesExercises.AdamFirstStep(-1, -3.398, moons, Setup));
        Assert.StartsWith("✅ Exercise 3 · Adam's first step against the init gain: right (-1.00, ", right, StringComparison.Ordinal);
        Wrong(() => WhatBatchNormDoesExercises.AdamFirstStep(-2, -3.398, moons, Setup));    // SGD's slope
        Wrong(() => WhatBatchNormDoesExercises.AdamFirstStep(0, -3.398, moons, Setup));     // the ratio taken to be scale-free
        Wrong(() => WhatBatchNormDoesExercises.AdamFirstStep(-1, -2.398, moons, Setup));    // the ratio at g = 1
        NotAnswered(() => WhatBatchNormDoesExercises.AdamFirstStep(double.NaN, -3.398, moons, Setup));
        NotAnswered(() => WhatBatchNormDoesExercises.AdamFirstStep(-1, double.NaN, moons, Setup));
        Assert.Throws<ArgumentException>(() => WhatBatchNormDoesExercises.AdamFirstStep(-1, -3.398, moons, Setup with { Depth = 2 }));
    }

    [Fact]
    public void Layer_one_pre_activation_std_and_its_share_beyond_atanh_0_97()
    {
        // 300 inputs of 20 features, x = (i + j) mod 5 / 4: the values 0, ¼, ½, ¾, 1 equally often.
        const int rows = 300, features = 20;
        var x = new Matrix<double>(rows, features);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < features; j++)
            {
                x[i, j] = ((i + j) % 5) / 4.0;
            }
        }

        var data = new Dataset<double>("grid", x, new Matrix<double>(rows, 1), [.. Enumerable.Range(0, features).Select(j => $"x{j}")]);
        // mean x² = (0 + 1/16 + 1/4 + 9/16 + 1)/5 = 0.375; σ = 3·√0.375 = 1.837117; atanh(0.97) = ½ ln(1.97/0.03) = 2.092296;
        // 2.092296/1.837117 = 1.138902 and 2·(1 − Φ(1.138902)) = 2·0.127372 = 0.254744
        Assert.Equal("✅ Exercise 4 · layer 1's pre-activation std and its share beyond atanh(0.97): right (1.84, 0.25).",
            Line(() => WhatBatchNormDoesExercises.LayerOnePreActivationStd(1.837, 0.2547, data, 3)));
        // The variance instead of the mean square: 0.375 − 0.5² = 0.125, σ = 3·√0.125 = 1.0607, share 2·(1 − Φ(1.9726)) = 0.0485
        Wrong(() => WhatBatchNormDoesExercises.LayerOnePreActivationStd(1.061, 0.0485, data, 3));
        Wrong(() => WhatBatchNormDoesExercises.LayerOnePreActivationStd(1.837, 0.036, data, 3));   // the share at σ = 1
        Wrong(() => WhatBatchNormDoesExercises.LayerOnePreActivationStd(3, 0.2547, data, 3));      // g itself
        NotAnswered(() => WhatBatchNormDoesExercises.LayerOnePreActivationStd(double.NaN, 0.2547, data, 3));
        NotAnswered(() => WhatBatchNormDoesExercises.LayerOnePreActivationStd(1.837, double.NaN, data, 3));
    }

    // A stand-in for an answer cell (the kernel compiles each cell to a class whose fields are its variables).
    private static class LibraryCell
    {
        public static readonly double answer1 = Diagnostics.GaussianSaturation(0.99);
    }

    [Fact]
    public void An_answer_cell_that_calls_GaussianSaturation_is_rejected_though_the_number_is_right()
    {
        Assert.Equal(0.0081, LibraryCell.answer1, 4);   // 2·(1 − Φ(2.647)) = 0.00812: the right number
        string line = Line(() => WhatBatchNormDoesExercises.SaturatedShare(LibraryCell.answer1));
        Assert.StartsWith("❌", line, StringComparison.Ordinal);
        Assert.Contains("Diagnostics.GaussianSaturation", line, StringComparison.Ordinal);
    }
}
