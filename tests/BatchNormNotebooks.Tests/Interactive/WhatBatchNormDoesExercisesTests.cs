using BatchNormNotebooks.Interactive;
using static BatchNormNotebooks.Tests.Interactive.ExerciseVerdicts;

namespace BatchNormNotebooks.Tests.Interactive;

/// <summary>
/// Notebook 08's exercise checks: the reference answer prints ✅ with the expected value, a planted mistake ❌, an
/// unanswered one "not answered". Literals are worked out by hand; the run-dependent ones are measured here on the
/// test's own path (weights read out and multiplied, one training step read back), not by the exercise's code.
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

    [Fact]
    public void Update_ratio_target_needs_the_ratio_and_the_learning_rate()
    {
        // log10(0.1·0.02/0.05) = log10 0.04 = −1.39794; η·0.4 = 10⁻³ → η = 0.0025
        Assert.Equal("✅ Exercise 2 · the ratio at η = 0.1 and the η for −3: right (-1.398, 0.0025).", Line(() => WhatBatchNormDoesExercises.UpdateRatioTarget(-1.398, 0.0025)));
        Wrong(() => WhatBatchNormDoesExercises.UpdateRatioTarget(-0.398, 0.001));   // η left out; the ratio taken to be η
        Wrong(() => WhatBatchNormDoesExercises.UpdateRatioTarget(-1.398, 0.001));
        Wrong(() => WhatBatchNormDoesExercises.UpdateRatioTarget(-1.4, 0.0025));   // rounded too far
        NotAnswered(() => WhatBatchNormDoesExercises.UpdateRatioTarget(double.NaN, 0.0025));
        NotAnswered(() => WhatBatchNormDoesExercises.UpdateRatioTarget(-1.398, double.NaN));
    }

    private static readonly DiagnosticSetup Setup = new(Hidden: 16, Depth: 3, Steps: 200, BatchSize: 32, LearningRate: 0.1);

    [Fact]
    public void Effective_learning_rate_slope_is_minus_two_and_the_ratio_at_g_1_is_read_back()
    {
        var moons = TwoMoons.Generate(200, seed: 5, noise: 0.15);
        // The ratio at g = 1 (output rescaled by 3/1), from one step of the network the exercise describes.
        var net = Diagnostics.TanhMlp(2, 2, Setup, 1, batchNorm: true, seed: 1);
        var output = ((Linear<double>)net.Layers[^1]).Weight.Value;
        for (int k = 0; k < output.Length; k++)
        {
            output[k] *= 3;
        }

        double atOne = Diagnostics.Train(net, moons, null, Setup with { Steps = 1 }, 1).UpdateRatio[2][0];
        // Theory: ∂L/∂W ∝ 1/g and std(W) ∝ g, so the slope is −2 (to well within the checks' 0.01).
        string right = Line(() => WhatBatchNormDoesExercises.EffectiveLearningRateSlope([-2, -2, atOne], moons, Setup));
        Assert.StartsWith("✅", right, StringComparison.Ordinal);
        Assert.Contains("[-2.0, -2.00, ", right, StringComparison.Ordinal);
        Wrong(() => WhatBatchNormDoesExercises.EffectiveLearningRateSlope([-1, -1, atOne], moons, Setup));    // only std(W) ∝ g
        Wrong(() => WhatBatchNormDoesExercises.EffectiveLearningRateSlope([-2, -2, atOne + 0.05], moons, Setup));
        Wrong(() => WhatBatchNormDoesExercises.EffectiveLearningRateSlope([-2, -2], moons, Setup));
        NotAnswered(() => WhatBatchNormDoesExercises.EffectiveLearningRateSlope(null, moons, Setup));
        NotAnswered(() => WhatBatchNormDoesExercises.EffectiveLearningRateSlope([-2, double.NaN, atOne], moons, Setup));
        Assert.Throws<ArgumentException>(() => WhatBatchNormDoesExercises.EffectiveLearningRateSlope(null, moons, Setup with { Depth = 2 }));
    }

    [Fact]
    public void Layer_one_pre_activation_std_predicted_and_measured()
    {
        // 300 inputs of 20 features, x = (i + j) mod 5 / 4; layer 1 of the seed-4 network at g = 3, multiplied out here.
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
        var setup = new DiagnosticSetup(Hidden: 8, Depth: 2);
        var first = (Linear<double>)Diagnostics.TanhMlp(features, 10, setup, 3, batchNorm: false, seed: 4).Layers[0];
        var z = new List<double>();
        for (int i = 0; i < rows; i++)
        {
            for (int u = 0; u < setup.Hidden; u++)
            {
                double sum = first.Bias!.Value[u];
                for (int j = 0; j < features; j++)
                {
                    sum += x[i, j] * first.Weight.Value[(j * setup.Hidden) + u];
                }

                z.Add(sum);
            }
        }

        double mean = z.Average(), std = Math.Sqrt(z.Average(v => (v - mean) * (v - mean)));
        // mean x²: the values 0, ¼, ½, ¾, 1 equally often → (0 + 1/16 + 1/4 + 9/16 + 1)/5 = 0.375; g·√0.375 = 1.837117
        const double predicted = 1.837117;
        string right = Line(() => WhatBatchNormDoesExercises.LayerOnePreActivationStd(predicted, std, data, setup, 3));
        Assert.StartsWith("✅ Exercise 4 · layer 1's pre-activation std, predicted and measured: right (1.837, ", right, StringComparison.Ordinal);
        Wrong(() => WhatBatchNormDoesExercises.LayerOnePreActivationStd(3, std, data, setup, 3));              // g itself
        Wrong(() => WhatBatchNormDoesExercises.LayerOnePreActivationStd(predicted, std * 1.01, data, setup, 3));
        Wrong(() => WhatBatchNormDoesExercises.LayerOnePreActivationStd(predicted, predicted, data, setup, 3)); // the prediction twice
        NotAnswered(() => WhatBatchNormDoesExercises.LayerOnePreActivationStd(double.NaN, std, data, setup, 3));
        NotAnswered(() => WhatBatchNormDoesExercises.LayerOnePreActivationStd(predicted, double.NaN, data, setup, 3));
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
